"""The JSON depth limit of every service's body check (shared.limits): nesting is counted outside
strings only, and a body with few brackets is passed without following them one by one."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from shared.limits import json_depth_exceeds

documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\ab', max_size=3), inner, max_size=3),
    max_leaves=40,
)


def depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(documents, st.integers(min_value=0, max_value=8))
def test_exceeds_exactly_when_the_document_nests_deeper_than_the_limit(document: object, limit: int) -> None:
    assert json_depth_exceeds(json.dumps(document).encode(), limit) == (depth(document) > limit)


def test_brackets_inside_strings_do_not_count() -> None:
    body = json.dumps({"name": "[[[[{{{{" * 10}).encode()
    assert not json_depth_exceeds(body, 2)
    assert json_depth_exceeds(json.dumps([[[1]]]).encode(), 2)
