"""The Qingyuan region table (属地管理, DESIGN §5): the city and its eight counties."""

from __future__ import annotations

from dataclasses import dataclass

CITY = "441800"  # 清远市


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # "city" | "county"


REGIONS: dict[str, Region] = {
    r.code: r
    for r in (
        Region(CITY, "清远市", "city"),
        Region("441802", "清城区", "county"),
        Region("441803", "清新区", "county"),
        Region("441821", "佛冈县", "county"),
        Region("441823", "阳山县", "county"),
        Region("441825", "连山壮族瑶族自治县", "county"),
        Region("441826", "连南瑶族自治县", "county"),
        Region("441881", "英德市", "county"),
        Region("441882", "连州市", "county"),
    )
}

COUNTIES: tuple[str, ...] = tuple(code for code, r in REGIONS.items() if r.level == "county")


def is_region(code: str) -> bool:
    return code in REGIONS


def is_county(code: str) -> bool:
    return code in COUNTIES


def covers(office_region: str, region: str) -> bool:
    """An office acts within its own region: city offices city-wide, county offices their county."""
    return office_region == region or (office_region == CITY and region in REGIONS)
