"""Webhook rules as plain functions: scope within permissions, refusals, signature, back-off, targets, sealing."""

from gateway.domain.webhooks import Filter, Owner, refusals, retry_delay_s, scope, seal, should_pause, sign, target_refusal, unseal, verify

REGISTERED = "tuoyu.registration.institution.registered.v1"
HIRED = "tuoyu.training.practitioner.hired.v1"


def test_the_scope_is_the_filter_within_what_the_bureau_may_read() -> None:
    police = Owner("gongan", "441821")
    everything = scope(police, Filter((), ()))
    assert everything.wants(REGISTERED, "441821") and not everything.wants(REGISTERED, "441823")  # its county only
    assert not everything.wants(HIRED, "441821")  # 公安 reads no practitioners
    assert not scope(police, Filter((HIRED,), ())).event_types  # asking does not widen it
    city = scope(Owner("weijian", "441800"), Filter((HIRED,), ("441823",)))
    assert city.wants(HIRED, "441823") and not city.wants(HIRED, "441821") and not city.wants(REGISTERED, "441823")


def test_refusals_name_the_field_and_the_rule() -> None:
    fire = Owner("xiaofang", "441821")
    assert refusals(fire, Filter((REGISTERED,), ("441821",))) == []
    assert [(f, r, s) for f, r, _, s in refusals(fire, Filter((HIRED, "tuoyu.nope.v1"), ("441823",)))] == [
        ("event_types", "topic_permission", 403), ("event_types", "known_event_type", 422), ("regions", "own_region", 403),
    ]


def test_a_signature_holds_only_for_the_same_secret_body_and_a_fresh_time() -> None:
    body = b'{"id":"1"}'
    headers = {"X-Tuoyu-Timestamp": "1000", "X-Tuoyu-Signature": sign("s" * 32, 1000, body)}
    assert verify("s" * 32, headers, body, now=1100)
    assert not verify("s" * 32, headers, body + b" ", now=1100)
    assert not verify("t" * 32, headers, body, now=1100)
    assert not verify("s" * 32, headers, body, now=1301)
    assert not verify("s" * 32, {**headers, "X-Tuoyu-Timestamp": "1001"}, body, now=1100)  # the time is signed too


def test_back_off_doubles_to_its_cap_and_pausing_counts_failures_in_a_row() -> None:
    assert [retry_delay_s(n, 2.0, 30.0) for n in range(1, 7)] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert not should_pause(9, 10) and should_pause(10, 10)


def test_targets_are_http_urls_and_private_addresses_only_where_allowed() -> None:
    assert target_refusal("https://gongan.example.gov.cn/hook", private_allowed=False) is None
    assert target_refusal("ftp://x/y", private_allowed=True) is not None
    assert target_refusal("https://user:pw@x.example/y", private_allowed=True) is not None
    for url in ("http://127.0.0.1:9/x", "http://10.0.0.5/x", "http://169.254.169.254/latest", "http://localhost/x"):
        assert target_refusal(url, private_allowed=False) is not None and target_refusal(url, private_allowed=True) is None


def test_secrets_are_sealed_with_the_suites_key() -> None:
    sealed = seal("endpoint-secret-0123456789abcdef", "master-key")
    assert "endpoint-secret" not in sealed and unseal(sealed, "master-key") == "endpoint-secret-0123456789abcdef"
    assert seal("same", "master-key") != seal("same", "master-key")  # a fresh nonce each time
