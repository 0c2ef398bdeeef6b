"""Identity-code validators: the 统一社会信用代码 (USCC, GB 32100-2015) and the resident ID number
(公民身份号码, GB 11643-1999). Each returns the rule a code breaks, or ``None`` when it is valid,
so an API can name the rule in its problem+json answer.
"""

from __future__ import annotations

import datetime as dt
import re

# GB 32100-2015: 31 characters, without I, O, Z, S, V.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_SHAPE = re.compile(rf"^[{USCC_CHARSET}]{{2}}[0-9]{{6}}[{USCC_CHARSET}]{{10}}$")

# GB 11643-1999: weights 2^(17-i) mod 11; the check digit by the remainder of the sum.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")


def uscc_check_char(body: str) -> str:
    """The 18th character for the first 17 characters of a USCC."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_violation(code: str) -> str | None:
    """``None`` for a valid USCC, else the rule it breaks: `length`, `charset`, `check_character`."""
    if len(code) != 18:
        return "length"
    if not _USCC_SHAPE.match(code):
        return "charset"
    if uscc_check_char(code[:17]) != code[17]:
        return "check_character"
    return None


def resident_id_check_digit(body: str) -> str:
    """The 18th character for the first 17 digits of a resident ID number."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def resident_id_violation(number: str, today: dt.date | None = None) -> str | None:
    """``None`` for a valid resident ID, else the rule it breaks:
    `length`, `charset`, `birth_date`, `check_digit`."""
    if len(number) != 18:
        return "length"
    if not _ID_SHAPE.match(number):
        return "charset"
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1900 or born > (today or dt.date.today()):
        return "birth_date"
    if resident_id_check_digit(number[:17]) != number[17]:
        return "check_digit"
    return None


def mask_resident_id(number: str) -> str:
    """Keep the region's first 3 and the last 4 characters: 441***********123X."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) > 7 else "*" * len(number)


def mask_phone(phone: str) -> str:
    """Keep the first 3 and the last 4 digits: 138****5678."""
    digits = phone.strip()
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:] if len(digits) > 7 else "*" * len(digits)
