"""Tokens: signed by the gateway, verified by every service, with the algorithm pinned."""

from __future__ import annotations

import time

import jwt
import pytest

from gateway.domain.ratelimit import TokenBuckets
from gateway.domain.throttle import FailedSignIns
from shared.auth import Principal, TokenIssuer, TokenVerifier
from shared.errors import Problem
from shared.keys import generate_keypair

PERSON = Principal(sub="minzheng-441802", kind="person", department="minzheng", region="441802", roles=frozenset({"clerk"}))


def verifier(public: str, audience: str = "tuoyu") -> TokenVerifier:
    return TokenVerifier(public, issuer="tuoyu-gateway", audience=audience)


def test_a_token_carries_department_region_and_roles(keypair: tuple[str, str], issuer: TokenIssuer) -> None:
    token, ttl = issuer.issue(PERSON)
    assert ttl == 600
    assert verifier(keypair[1]).verify(token) == PERSON


def test_a_token_signed_by_another_key_is_refused(issuer: TokenIssuer) -> None:
    token, _ = issuer.issue(PERSON)
    with pytest.raises(Problem) as refused:
        verifier(generate_keypair()[1]).verify(token)
    assert refused.value.status == 401


def test_expired_and_wrong_audience_tokens_are_refused(keypair: tuple[str, str]) -> None:
    expired = TokenIssuer(keypair[0], issuer="tuoyu-gateway", audience="tuoyu", ttl_s=1)
    token, _ = expired.issue(PERSON, ttl_s=-60)
    with pytest.raises(Problem, match="expired"):
        verifier(keypair[1]).verify(token)
    other, _ = TokenIssuer(keypair[0], issuer="tuoyu-gateway", audience="elsewhere", ttl_s=60).issue(PERSON)
    with pytest.raises(Problem, match="(?i)audience"):
        verifier(keypair[1]).verify(other)


def test_a_token_verified_before_is_still_refused_once_it_expires(keypair: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    token, _ = TokenIssuer(keypair[0], issuer="tuoyu-gateway", audience="tuoyu", ttl_s=60).issue(PERSON)
    checker = verifier(keypair[1])
    assert checker.verify(token) == PERSON
    assert checker.verify(token) == PERSON  # remembered
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 60 + TokenVerifier.LEEWAY_S + 1)
    with pytest.raises(Problem, match="expired"):
        checker.verify(token)


def test_the_algorithm_is_pinned(keypair: tuple[str, str]) -> None:
    # Unsigned, and HMAC-signed (anyone holding a shared secret could mint those): both refused.
    claims = {"sub": "x", "iss": "tuoyu-gateway", "aud": "tuoyu", "iat": int(time.time()), "exp": int(time.time()) + 60}
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    hmac_signed = jwt.encode(claims, key="a-guessable-secret-of-32-bytes!!", algorithm="HS256")
    for token in (unsigned, hmac_signed):
        with pytest.raises(Problem, match="alg value is not allowed"):
            verifier(keypair[1]).verify(token)
    with pytest.raises(Problem):
        verifier(keypair[1]).verify("not.a.token")


def test_a_county_principal_covers_only_its_county() -> None:
    assert PERSON.covers("441802")
    assert not PERSON.covers("441803")
    assert not PERSON.covers("441800")


def test_rate_limit_buckets_stay_bounded_and_keep_the_busy_subject() -> None:
    buckets = TokenBuckets(per_minute=60, burst=2, max_subjects=10)
    assert buckets.take("busy", now=0.0) == 0.0 and buckets.take("busy", now=0.0) == 0.0
    for n in range(100):  # each passing caller allowed, none refused: the table still stays within its bound
        assert buckets.take(f"caller-{n}", now=0.5) == 0.0
        assert len(buckets._buckets) <= 10
    assert buckets.take("busy", now=0.5) > 0  # the one still short of tokens was kept, not forgotten into a full bucket


def test_sign_in_throttle_keeps_nothing_for_a_look_and_stays_bounded() -> None:
    throttle = FailedSignIns(limit=2, max_keys=10)
    for n in range(100):
        assert throttle.locked_for(f"account:guess-{n}", now=0.0) == 0.0
    assert throttle._failures == {}
    throttle.failed("account:victim", now=0.0)
    throttle.failed("account:victim", now=1.0)
    for n in range(100):
        throttle.failed(f"account:guess-{n}", now=2.0)
        assert len(throttle._failures) <= 10
    stale = FailedSignIns(limit=2, max_keys=4)
    for key in ("a", "b", "c", "d"):
        stale.failed(key, now=0.0)
    stale.failed("late", now=1000.0)  # past the window: the failures that lock nothing make the room
    assert list(stale._failures) == ["late"]
