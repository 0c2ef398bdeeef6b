"""Third-party quality evaluation (policy 三(三)2: 建立托育机构质量评估制度，委托第三方对托育机构进行评估，
评估结果向社会公布) on the seven domains of 托育机构质量评估标准 WS/T 821—2023."""

from __future__ import annotations

DOMAINS: dict[str, str] = {
    "conditions": "办托条件",
    "staff": "托育队伍",
    "care": "保育照护",
    "health": "卫生保健",
    "parenting_support": "养育支持",
    "safety": "安全保障",
    "management": "机构管理",
}
RATINGS = ("不合格", "合格", "良好", "优秀")  # lowest first


def rating_of(scores: dict[str, int]) -> str:
    """The overall rating from the domain scores (0–100): any domain below 60 fails the whole;
    the higher ratings need both the average and the weakest domain to be high."""
    lowest = min(scores.values())
    average = sum(scores.values()) / len(scores)
    if lowest < 60:
        return "不合格"
    if average >= 90 and lowest >= 80:
        return "优秀"
    if average >= 80 and lowest >= 70:
        return "良好"
    return "合格"


def at_least(rating: str | None, minimum: str) -> bool:
    return rating is not None and RATINGS.index(rating) >= RATINGS.index(minimum)
