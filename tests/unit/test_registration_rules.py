"""Registration rules of policy 三(三)1 as plain functions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from registration_svc.domain.registration import RegistrationFacts, registration_violations
from shared.regions import covers
from tests.factories import new_uscc

TODAY = dt.date(2026, 11, 28)
GOOD = RegistrationFacts(
    uscc=new_uscc("minzheng"),
    nature="social_service",
    registrar="minzheng",
    registrar_region="441802",
    county="441802",
    registered_on=TODAY,
    employer_run=False,
    sponsors=(),
    service_types=("full_day",),
)


def rules(**changes: object) -> set[str]:
    return {v.rule for v in registration_violations(dataclasses.replace(GOOD, **changes), TODAY)}


def test_a_good_registration_breaks_nothing() -> None:
    assert rules() == set()


@pytest.mark.parametrize(
    ("nature", "registrar", "allowed"),
    [
        ("public_institution", "bianban", True),
        ("social_service", "minzheng", True),
        ("for_profit", "shichang", True),
        ("public_institution", "minzheng", False),
        ("social_service", "shichang", False),
        ("for_profit", "bianban", False),
        ("for_profit", "minzheng", False),
    ],
)
def test_each_nature_has_its_registrar(nature: str, registrar: str, allowed: bool) -> None:
    assert ("registrar_for_nature" not in rules(nature=nature, registrar=registrar)) is allowed


def test_employer_run_is_never_for_profit_and_names_its_sponsors() -> None:
    assert "employer_run_not_for_profit" in rules(employer_run=True, nature="for_profit", registrar="shichang", sponsors=("某公司",))
    assert "employer_run_sponsors" in rules(employer_run=True)
    assert rules(employer_run=True, sponsors=("清远市某局",)) == set()


def test_registering_office_is_the_county_of_location_or_the_city() -> None:
    assert rules(registrar_region="441800") == set()
    assert "registrar_of_location" in rules(registrar_region="441803")
    assert "region_of_qingyuan" in rules(registrar_region="440100")
    assert "county_of_qingyuan" in rules(county="441800")


def test_bad_uscc_future_date_and_no_service_are_refused() -> None:
    assert "uscc_check_character" in rules(uscc=GOOD.uscc[:17] + ("0" if GOOD.uscc[17] != "0" else "1"))
    assert "not_in_future" in rules(registered_on=TODAY + dt.timedelta(days=1))
    assert rules(registered_on=dt.date(1949, 9, 30)) == {"not_before_1949"}
    assert rules(registered_on=dt.date(1949, 10, 1)) == set()
    assert "at_least_one" in rules(service_types=())


def test_city_offices_cover_every_county_and_counties_only_themselves() -> None:
    assert covers("441800", "441881")
    assert covers("441881", "441881")
    assert not covers("441881", "441882")
    assert not covers("441881", "441800")
    assert not covers("441800", "440100")
