"""The national standard for childcare institutions (托育机构设置标准（试行）) as the suite uses it:
one carer per 3 places in a 乳儿班, per 5 in a 托小班, per 7 in a 托大班; carers are 育婴员 and 保育员."""

from __future__ import annotations

import math
from collections.abc import Mapping

CARERS = ("yuyingyuan", "baoyuyuan")  # the occupations that count against the places of a class
CARERS_PER_PLACE = {"infant": 3, "toddler": 5, "older_toddler": 7}  # one carer per this many places


def required_carers(places: Mapping[str, int]) -> dict[str, int]:
    """Carers each class needs for its places."""
    return {cls: math.ceil(places.get(cls, 0) / ratio) for cls, ratio in CARERS_PER_PLACE.items()}
