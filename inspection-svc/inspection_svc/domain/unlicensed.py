"""Unlicensed operators (policy 三(三)4: 对不符合条件无证经营的婴幼儿照护服务机构坚决取缔), matched
against the registry so that one that registers later is linked, not counted twice."""

from __future__ import annotations

import re
import unicodedata

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def name_key(name: str) -> str:
    """A name as matched: full-width folded to half-width, case, spaces and punctuation ignored."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name)).lower()


def same_operator(a_name: str, a_county: str, b_name: str, b_county: str) -> bool:
    return a_county == b_county and name_key(a_name) == name_key(b_name)
