"""USCC (GB 32100-2015) and resident ID (GB 11643-1999) validation, by example and by property."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from shared.validators import (
    USCC_CHARSET,
    mask_resident_id,
    resident_id_check_digit,
    resident_id_violation,
    uscc_check_char,
    uscc_violation,
)

TODAY = dt.date(2026, 11, 28)

uscc_bodies = st.builds(
    lambda head, region, tail: head + region + tail,
    st.text(USCC_CHARSET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_CHARSET, min_size=9, max_size=9),
)
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
id_bodies = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq}",
    st.integers(110000, 659999).map(str),
    birth_dates,
    st.integers(0, 999).map(lambda n: f"{n:03d}"),
)


def test_published_uscc_examples() -> None:
    # Codes printed on real business licences and registration certificates.
    for code in ("91350100M000100Y43", "91110108551385082Q", "12100000400000624D"):
        assert uscc_violation(code) is None, code


def test_uscc_rules_are_named() -> None:
    assert uscc_violation("91350100M000100Y4") == "length"
    assert uscc_violation("91350100M000100YI3") == "charset"  # I is not in the charset
    assert uscc_violation("9135010AM000100Y43") == "charset"  # positions 3-8 are digits
    assert uscc_violation("91350100M000100Y44") == "check_character"


@given(uscc_bodies)
def test_every_body_completed_with_its_check_character_is_valid(body: str) -> None:
    assert uscc_violation(body + uscc_check_char(body)) is None


@given(uscc_bodies, st.data())
def test_any_other_check_character_is_refused(body: str, data: st.DataObject) -> None:
    wrong = data.draw(st.sampled_from([c for c in USCC_CHARSET if c != uscc_check_char(body)]))
    assert uscc_violation(body + wrong) == "check_character"


@given(uscc_bodies, st.integers(0, 16), st.data())
def test_a_single_changed_character_is_caught(body: str, position: int, data: st.DataObject) -> None:
    code = body + uscc_check_char(body)
    pool = "0123456789" if 2 <= position <= 7 else USCC_CHARSET
    replacement = data.draw(st.sampled_from([c for c in pool if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    # mod 31 with weights coprime to 31: any single substitution changes the check character
    assert uscc_violation(changed) == "check_character"


def test_published_resident_id_example() -> None:
    # The example of GB 11643-1999 itself.
    assert resident_id_violation("11010519491231002X", today=TODAY) is None
    assert resident_id_violation("440524188001010014", today=TODAY) == "birth_date"  # before 1900


def test_resident_id_rules_are_named() -> None:
    assert resident_id_violation("11010519491231002", today=TODAY) == "length"
    assert resident_id_violation("1101051949123100XX", today=TODAY) == "charset"
    assert resident_id_violation("11010519490231002X", today=TODAY) == "birth_date"  # 31 February
    assert resident_id_violation("110105203001010010", today=TODAY) == "birth_date"  # born in the future
    assert resident_id_violation("110105194912310021", today=TODAY) == "check_digit"


@given(id_bodies)
def test_every_id_completed_with_its_check_digit_is_valid(body: str) -> None:
    assert resident_id_violation(body + resident_id_check_digit(body), today=TODAY) is None


@given(id_bodies, st.data())
def test_any_other_check_digit_is_refused(body: str, data: st.DataObject) -> None:
    wrong = data.draw(st.sampled_from([c for c in "0123456789X" if c != resident_id_check_digit(body)]))
    assert resident_id_violation(body + wrong, today=TODAY) == "check_digit"


@given(id_bodies)
def test_masking_keeps_only_the_ends(body: str) -> None:
    number = body + resident_id_check_digit(body)
    masked = mask_resident_id(number)
    assert len(masked) == 18
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:]
    assert set(masked[3:-4]) == {"*"}
    assert number[6:14] not in masked  # the birth date never shows
