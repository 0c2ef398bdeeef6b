"""双随机、一公开: draw institutions from the target database (随机抽取检查对象) and assign inspectors
from the inspector database (随机选派执法检查人员), reproducibly.

The algorithm is published so that anyone holding the seed and the two databases can re-run it:
- every number comes from SHA-256 over text (`seed:target:<uscc>:<ticket>`), never from a
  language's random generator, so the result is the same on any machine;
- a target of integer weight w gets w tickets, and its key is the largest of its tickets' hashes:
  selecting the largest keys is weighted sampling without replacement (Efraimidis–Spirakis: the
  maximum of w uniform draws is distributed as u^(1/w));
- targets are taken in key order; each gets `per_target` inspectors among those without a declared
  conflict (回避), the least loaded first, ties broken by `seed:inspector:<uscc>:<id>`.

Inspectors take part under plan-local pseudonyms (`pseudonym`), and the inspector database is
published with only the conflicts the draw consulted (those with drawn institutions): the public
re-runs the draw without learning who inspects or whom an inspector is close to.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    uscc: str
    weight: int = 1  # 1 unless the plan weighs by risk and credit


@dataclass(frozen=True)
class Inspector:
    id: str
    conflicts: frozenset[str] = field(default_factory=frozenset)  # USCCs they must not inspect (回避)


@dataclass(frozen=True)
class Assignment:
    uscc: str
    inspectors: tuple[str, str] | tuple[str, ...]


class NotEnoughInspectors(ValueError):
    def __init__(self, uscc: str, eligible: int, needed: int) -> None:
        super().__init__(f"{uscc}: {eligible} inspectors without a conflict, {needed} needed")
        self.uscc, self.eligible, self.needed = uscc, eligible, needed


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def database_hash(rows: Sequence[object]) -> str:
    """SHA-256 of the canonical JSON of a database (its rows as sorted plain lists)."""
    canonical = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def target_rows(targets: Sequence[Target]) -> list[list[object]]:
    return sorted([t.uscc, t.weight] for t in targets)


def inspector_rows(inspectors: Sequence[Inspector]) -> list[list[object]]:
    """The inspector database as rows: ids (pseudonyms, when published) and conflicts, not names
    (names do not change the draw, and the public record carries no personal data)."""
    return sorted([i.id, sorted(i.conflicts)] for i in inspectors)


def pseudonym(salt: str, inspector_id: str) -> str:
    """An inspector's name in one draw: without the draw's secret `salt` it tells no one who it is
    (nor links draws), and revealing the salt to an auditor shows who it was."""
    return "P-" + hashlib.sha256(f"{salt}:{inspector_id}".encode()).hexdigest()[:12]


def pseudonymous(inspectors: Sequence[Inspector], salt: str) -> list[Inspector]:
    return [Inspector(pseudonym(salt, i.id), i.conflicts) for i in inspectors]


def published_inspectors(inspectors: Sequence[Inspector], assignments: Sequence[Assignment]) -> list[Inspector]:
    """The inspector database to publish: each with its conflicts among the drawn institutions only,
    the only ones the draw looked at, so re-running it gives the same assignments."""
    drawn = frozenset(a.uscc for a in assignments)
    return [Inspector(i.id, i.conflicts & drawn) for i in inspectors]


def sample_size(population: int, ratio: float | None, size: int | None) -> int:
    """How many to draw: the plan's count, or its ratio of the population rounded up."""
    wanted = size if size is not None else math.ceil((ratio or 0) * population - 1e-9)
    return max(0, min(population, wanted))


def draw(seed: str, targets: Sequence[Target], inspectors: Sequence[Inspector], size: int, per_target: int = 2) -> list[Assignment]:
    keyed = sorted(
        ((max(_h(f"{seed}:target:{t.uscc}:{ticket}") for ticket in range(max(t.weight, 1))), t.uscc) for t in targets),
        reverse=True,
    )
    load = {i.id: 0 for i in inspectors}
    assignments = []
    for _, uscc in keyed[:size]:
        eligible = [i for i in inspectors if uscc not in i.conflicts]
        if len(eligible) < per_target:
            raise NotEnoughInspectors(uscc, len(eligible), per_target)
        chosen = sorted(eligible, key=lambda i: (load[i.id], _h(f"{seed}:inspector:{uscc}:{i.id}")))[:per_target]
        for inspector in chosen:
            load[inspector.id] += 1
        assignments.append(Assignment(uscc, tuple(i.id for i in chosen)))
    return assignments


def risk_weight(credit_status: str, open_major: int, open_critical: int) -> int:
    """A plan weighted by risk and credit draws an institution with more tickets when its record is
    worse: dishonest ×2, trustworthy less often; open findings add to it."""
    base = {"dishonest": 4, "normal": 2, "trustworthy": 1}.get(credit_status, 2)
    return base + min(open_major, 2) + 2 * min(open_critical, 1)
