"""双随机 draws: reproducible, order-independent, proportional, with two non-conflicted inspectors
per institution — as properties over random rosters."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspection_svc.domain.draw import (
    Inspector,
    NotEnoughInspectors,
    Target,
    database_hash,
    draw,
    inspector_rows,
    pseudonymous,
    published_inspectors,
    sample_size,
    target_rows,
)

usccs = st.lists(st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=18, max_size=18), min_size=1, max_size=60, unique=True)


@st.composite
def rosters(draw_: st.DrawFn) -> tuple[list[Target], list[Inspector], float, str]:
    codes = draw_(usccs)
    targets = [Target(c, draw_(st.integers(1, 4))) for c in codes]
    ids = draw_(st.lists(st.text("ABCDEFGH0123456789", min_size=3, max_size=6), min_size=2, max_size=12, unique=True))
    inspectors = [Inspector(i, frozenset(draw_(st.lists(st.sampled_from(codes), max_size=5)))) for i in ids]
    ratio = draw_(st.floats(0.01, 1.0))
    seed = draw_(st.text(min_size=1, max_size=20))
    return targets, inspectors, ratio, seed


@settings(max_examples=200, deadline=None)
@given(rosters())
def test_a_draw_keeps_every_rule(roster: tuple[list[Target], list[Inspector], float, str]) -> None:
    targets, inspectors, ratio, seed = roster
    size = sample_size(len(targets), ratio, None)
    try:
        result = draw(seed, targets, inspectors, size)
    except NotEnoughInspectors as exc:
        eligible = [i for i in inspectors if exc.uscc not in i.conflicts]
        assert len(eligible) < 2  # refused only when it truly cannot assign two
        return
    assert len(result) == size == math.ceil(ratio * len(targets) - 1e-9)
    assert len({a.uscc for a in result}) == size
    conflicts = {i.id: i.conflicts for i in inspectors}
    for assignment in result:
        assert len(set(assignment.inspectors)) == 2
        assert all(assignment.uscc not in conflicts[i] for i in assignment.inspectors)
    # the same inputs, in any order, give the same result
    assert draw(seed, list(reversed(targets)), list(reversed(inspectors)), size) == result


@settings(max_examples=100, deadline=None)
@given(rosters())
def test_work_is_spread_evenly_among_inspectors_without_conflicts(roster: tuple[list[Target], list[Inspector], float, str]) -> None:
    targets, with_conflicts, _, seed = roster
    inspectors = [Inspector(i.id) for i in with_conflicts]
    result = draw(seed, targets, inspectors, len(targets))
    load = Counter(i for a in result for i in a.inspectors)
    counts = [load.get(i.id, 0) for i in inspectors]
    assert max(counts) - min(counts) <= 1


def test_another_seed_gives_another_draw() -> None:
    targets = [Target(f"{n:018d}") for n in range(50)]
    inspectors = [Inspector(f"I{n}") for n in range(6)]
    assert draw("2026-plan-a", targets, inspectors, 5) != draw("2026-plan-b", targets, inspectors, 5)


def test_weights_draw_the_heavier_more_often() -> None:
    targets = [Target("HEAVY", 4), *(Target(f"LIGHT{n}", 1) for n in range(10))]
    inspectors = [Inspector("A"), Inspector("B")]
    picked = Counter(draw(f"seed-{n}", targets, inspectors, 1)[0].uscc for n in range(2800))
    # 4 tickets of 14: about 800 of 2800; a light one has about 200
    assert 700 < picked["HEAVY"] < 900
    assert all(150 < picked[f"LIGHT{n}"] < 260 for n in range(10))


def test_conflicted_inspectors_are_never_assigned_and_too_few_is_refused() -> None:
    targets = [Target("X" * 18)]
    inspectors = [Inspector("A", frozenset({"X" * 18})), Inspector("B"), Inspector("C")]
    assert draw("s", targets, inspectors, 1)[0].inspectors in (("B", "C"), ("C", "B"))
    with pytest.raises(NotEnoughInspectors):
        draw("s", targets, [Inspector("A", frozenset({"X" * 18})), Inspector("B")], 1)


def test_database_hashes_do_not_depend_on_order_and_leave_names_out() -> None:
    a = [Target("B"), Target("A", 2)]
    assert database_hash(target_rows(a)) == database_hash(target_rows(list(reversed(a))))
    assert inspector_rows([Inspector("9", frozenset({"Z", "Y"}))]) == [["9", ["Y", "Z"]]]


def test_sample_size_rounds_up_and_caps() -> None:
    assert sample_size(20, 0.05, None) == 1
    assert sample_size(21, 0.05, None) == 2
    assert sample_size(10, None, 50) == 10
    assert sample_size(0, 0.5, None) == 0


@settings(max_examples=200, deadline=None)
@given(rosters(), st.text(min_size=1, max_size=32))
def test_the_published_draw_re_runs_without_telling_who_inspects(roster: tuple[list[Target], list[Inspector], float, str], salt: str) -> None:
    targets, inspectors, ratio, seed = roster
    size = sample_size(len(targets), ratio, None)
    named = pseudonymous(inspectors, salt)
    try:
        drawn = draw(seed, targets, named, size)
    except NotEnoughInspectors:
        return
    published = published_inspectors(named, drawn)
    assert draw(seed, targets, published, size) == drawn  # anyone re-runs it from the published rows
    ids = {i.id for i in inspectors}
    assert not ids & {i.id for i in published}  # pseudonyms, never enforcement numbers
    chosen = {a.uscc for a in drawn}
    assert all(i.conflicts <= chosen for i in published)  # only the conflicts the draw looked at
    assert pseudonymous(inspectors, salt + "x") != named or not inspectors  # another draw, other names
