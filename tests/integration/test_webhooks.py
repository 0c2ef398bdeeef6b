"""Webhooks end to end: a receiver started here gets every event of its filter and nothing else,
checks each signature the documented way, sees a delivery again after answering 500, and a replay
from a day brings the same event ids again; an endpoint that keeps failing is paused with its
reason; a bureau cannot register for what it may not read."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI, Request, Response

from gateway.domain.webhooks import sign, verify
from services.processes import free_port
from shared.timeutil import today_in_china
from tests.factories import new_resident_id
from tests.integration.helpers import register, serving
from tests.integration.suite import InProcessSuite
from tests.waiting import eventually


@dataclass
class Receiver:
    base: str
    secrets: dict[str, str] = field(default_factory=dict)  # path → secret
    received: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    fail_next: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    always_fail: set[str] = field(default_factory=set)

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def events(self, path: str) -> list[dict]:
        return [r["event"] for r in self.received[path] if r["answered"] == 200]


@pytest.fixture(scope="module")
async def receiver(suite: InProcessSuite) -> AsyncIterator[Receiver]:
    """A receiver per suite (so per database backend): what one backend's run received is not the other's."""
    port = free_port()
    state = Receiver(f"http://127.0.0.1:{port}")
    app = FastAPI()

    @app.post("/{path}")
    async def receive(path: str, request: Request) -> Response:
        body = await request.body()
        genuine = verify(state.secrets.get(path, ""), request.headers, body, time.time())
        answered = 200
        if path in state.always_fail:
            answered = 503
        elif state.fail_next[path] > 0:
            state.fail_next[path] -= 1
            answered = 500
        state.received[path].append({"event": json.loads(body), "body": body, "genuine": genuine, "answered": answered, "headers": dict(request.headers)})
        return Response(status_code=answered)

    async with serving(app, port):
        yield state


async def _create(suite: InProcessSuite, headers: dict, body: dict, status: int = 201) -> dict:
    response = await suite.http.post(suite.url("gateway", "/api/webhooks"), json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def test_a_receiver_gets_its_filter_signed_retried_and_replayed(suite: InProcessSuite, token_for, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    police = token_for("gongan", "441821")
    hook = await _create(suite, police, {"url": receiver.url("police"), "event_types": ["tuoyu.registration.institution.registered.v1",
                                                                                        "tuoyu.registration.institution.amended.v1"]})
    receiver.secrets["police"] = hook["secret"]
    assert hook["status"] == "active" and hook["regions"] == [] and len(hook["secret"]) >= 32
    receiver.fail_next["police"] = 1  # the first delivery is answered 500

    mine = [(await register(suite, token_for, region="441821"))["uscc"] for _ in range(3)]
    elsewhere = (await register(suite, token_for, region="441823"))["uscc"]
    amended = await suite.http.patch(suite.url("registration", f"/v1/registrations/{mine[0]}"), json={"name": "改名后的托育园"},
                                     headers=token_for("minzheng", "441821"))
    assert amended.status_code == 200, amended.text

    def delivered() -> bool:
        return {(e["subject"], e["type"].split(".")[3]) for e in receiver.events("police")} >= {*((u, "registered") for u in mine), (mine[0], "amended")}

    await eventually(delivered, timeout=30, what="every event of the filter at the receiver")
    got = receiver.received["police"]
    assert all(r["genuine"] for r in got)  # every delivery signed with the endpoint's secret
    assert elsewhere not in {r["event"]["subject"] for r in got}  # 阳山's institution: not the 佛冈 police's
    assert all(r["event"]["type"].startswith("tuoyu.registration.institution.") for r in got)
    failed = [r for r in got if r["answered"] == 500]
    assert len(failed) == 1 and sum(1 for r in got if r["event"]["id"] == failed[0]["event"]["id"]) == 2  # the retry came
    assert len({r["event"]["id"] for r in got if r["answered"] == 200}) == len(receiver.events("police"))  # each once when accepted

    async def logged() -> dict | None:  # the sender records the outcome just after the receiver answered
        log = (await suite.http.get(suite.url("gateway", f"/api/webhooks/{hook['id']}/deliveries"), headers=police)).json()["items"]
        retried = next(d for d in log if d["event_id"] == failed[0]["event"]["id"])
        return retried if retried["status"] == "delivered" else None

    retried = await eventually(logged, what="the retried delivery in the log")
    assert (retried["status"], retried["attempts"], [a["status_code"] for a in retried["attempt_log"]]) == ("delivered", 2, [500, 200])

    # replay from today: the same events again, with the same ids
    before = [e["id"] for e in receiver.events("police")]
    replay = await suite.http.post(suite.url("gateway", f"/api/webhooks/{hook['id']}/replays"), json={"since": today_in_china().isoformat()}, headers=police)
    assert replay.status_code == 201 and replay.json()["deliveries"] >= 4, replay.text
    await eventually(lambda: len(receiver.events("police")) >= len(before) + replay.json()["deliveries"], timeout=30, what="the replayed events")
    again = [e["id"] for e in receiver.events("police")][len(before):]
    assert set(before) <= set(again) and all(r["genuine"] for r in receiver.received["police"])

    # another bureau's office neither sees nor touches it
    other = token_for("gongan", "441823")
    assert (await suite.http.get(suite.url("gateway", "/api/webhooks"), headers=other)).json() == {"items": [], "next": None}
    assert (await suite.http.post(suite.url("gateway", f"/api/webhooks/{hook['id']}/pause"), headers=other)).status_code == 404


async def test_a_forged_or_stale_delivery_fails_the_documented_check(suite: InProcessSuite, token_for, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    police = token_for("gongan", "441825")
    hook = await _create(suite, police, {"url": receiver.url("signed"), "event_types": ["tuoyu.registration.institution.registered.v1"]})
    secret = receiver.secrets["signed"] = hook["secret"]
    await register(suite, token_for, region="441825")
    await eventually(lambda: receiver.events("signed"), timeout=30, what="a delivery to check")
    sample = next(r for r in receiver.received["signed"] if r["answered"] == 200)
    body = sample["body"]
    stamp = int(sample["headers"]["x-tuoyu-timestamp"])
    assert verify(secret, sample["headers"], body, now=stamp + 10)
    genuine = {"X-Tuoyu-Timestamp": str(stamp), "X-Tuoyu-Signature": sign(secret, stamp, body)}
    assert verify(secret, genuine, body, now=stamp + 10)
    assert not verify(secret, genuine, body.replace(b"tuoyu", b"TUOYU", 1), now=stamp + 10)  # altered
    assert not verify("another-secret-of-a-forger-000", genuine, body, now=stamp + 10)  # forged
    assert not verify(secret, genuine, body, now=stamp + 301)  # replayed later
    assert not verify(secret, {"X-Tuoyu-Signature": genuine["X-Tuoyu-Signature"]}, body, now=stamp)  # no timestamp


async def test_a_bureau_cannot_register_for_what_it_may_not_read(suite: InProcessSuite, token_for, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    fire = token_for("xiaofang", "441821")
    refused = await _create(suite, fire, {"url": receiver.url("fire"), "event_types": ["tuoyu.training.practitioner.hired.v1"]}, 403)
    assert refused["errors"] == [{"field": "event_types", "rule": "topic_permission", "message": "xiaofang may not read tuoyu.training.practitioner"}]
    other_county = await _create(suite, fire, {"url": receiver.url("fire"), "regions": ["441823"]}, 403)
    assert other_county["errors"][0]["field"] == "regions"
    unknown = await _create(suite, fire, {"url": receiver.url("fire"), "event_types": ["tuoyu.nothing.v1"]}, 422)
    assert unknown["errors"][0]["rule"] == "known_event_type"
    assert (await _create(suite, fire, {"url": "ftp://example.org/x"}, 422))["errors"][0]["field"] == "url"
    assert (await suite.http.post(suite.url("gateway", "/api/webhooks"), json={"url": receiver.url("x")}, headers=token_for("evaluator", "441800"))).status_code == 403
    assert (await suite.http.get(suite.url("gateway", "/api/webhooks"))).status_code == 401

    # with no types named, the fire brigade gets what it may read and no more: a practitioner hired
    # in its county does not reach it, while the personal data in what 卫生健康 gets stays masked
    fire_hook = await _create(suite, fire, {"url": receiver.url("fire")})
    receiver.secrets["fire"] = fire_hook["secret"]
    health_hook = await _create(suite, token_for("weijian", "441821"), {"url": receiver.url("health"), "event_types": ["tuoyu.training.practitioner.hired.v1"]})
    receiver.secrets["health"] = health_hook["secret"]
    uscc = (await register(suite, token_for, region="441821"))["uscc"]
    id_number = new_resident_id()

    async def hired() -> bool:
        body = {"id_number": id_number, "name": "张保育", "occupation": "baoyuyuan", "employer_uscc": uscc, "hired_on": today_in_china().isoformat()}
        response = await suite.http.post(suite.url("training", "/v1/practitioners"), json=body, headers=token_for("weijian", "441821"))
        return response.status_code == 201

    await eventually(hired, what="the employer known to the workforce service")
    await eventually(lambda: any(e["subject"] == uscc for e in receiver.events("fire")), what="the registration at the fire brigade")
    await eventually(lambda: receiver.events("health"), what="the hire at the health bureau")
    [hire] = receiver.events("health")
    assert hire["data"]["id_number_masked"] != id_number and id_number not in json.dumps(hire)
    await asyncio.sleep(1.0)
    assert not any(e["type"].startswith("tuoyu.training.") for e in receiver.events("fire"))


async def test_an_endpoint_that_keeps_failing_is_paused_with_its_reason_and_resumes(suite: InProcessSuite, token_for, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    education = token_for("jiaoyu", "441882")
    receiver.always_fail.add("school")
    kinds = ["tuoyu.registration.institution.registered.v1", "tuoyu.registration.institution.amended.v1"]
    hook = await _create(suite, education, {"url": receiver.url("school"), "event_types": kinds})
    receiver.secrets["school"] = hook["secret"]
    uscc = (await register(suite, token_for, region="441882"))["uscc"]
    amended = await suite.http.patch(suite.url("registration", f"/v1/registrations/{uscc}"), json={"name": "改名后的托育园"},
                                     headers=token_for("minzheng", "441882"))
    assert amended.status_code == 200, amended.text

    async def paused() -> dict | None:
        [shown] = (await suite.http.get(suite.url("gateway", "/api/webhooks"), headers=education)).json()["items"]
        return shown if shown["status"] == "paused" else None

    shown = await eventually(paused, timeout=30, what="the endpoint paused after failing again and again")
    assert "503" in shown["paused_reason"] and shown["failures_in_a_row"] >= suite.settings.webhook_pause_after
    assert shown["pending"] == 2 and receiver.events("school") == []
    attempts = len(receiver.received["school"])
    await asyncio.sleep(1.0)
    assert len(receiver.received["school"]) == attempts  # paused: nothing more is sent

    receiver.always_fail.discard("school")
    resumed = await suite.http.post(suite.url("gateway", f"/api/webhooks/{hook['id']}/resume"), headers=education)
    assert resumed.status_code == 200 and resumed.json()["status"] == "active" and resumed.json()["paused_reason"] is None
    await eventually(lambda: len(receiver.events("school")) == 2, timeout=30, what="what waited, delivered")
    assert [(e["subject"], e["type"]) for e in receiver.events("school")] == [(uscc, k) for k in kinds]  # an institution's events in order

    trail = await suite.http.get(suite.url("gateway", "/v1/admin/audit"), params={"entity": "webhook", "key": hook["id"]}, headers=token_for("weijian", "441800", "admin"))
    assert [e["action"] for e in trail.json()["items"]] == ["create", "resume"]
    assert (await suite.http.delete(suite.url("gateway", f"/api/webhooks/{hook['id']}"), headers=education)).status_code == 204
    assert (await suite.http.get(suite.url("gateway", "/api/webhooks"), headers=education)).json() == {"items": [], "next": None}



async def test_the_endpoints_are_listed_by_page_and_status(suite: InProcessSuite, token_for, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    bureau = token_for("nongye", "441826")
    made = [(await _create(suite, bureau, {"url": receiver.url(f"farm-{n}")}))["id"] for n in range(3)]
    assert (await suite.http.post(suite.url("gateway", f"/api/webhooks/{made[1]}/pause"), headers=bureau)).status_code == 200
    url = suite.url("gateway", "/api/webhooks")
    first = (await suite.http.get(url, params={"limit": 2}, headers=bureau)).json()
    assert [h["id"] for h in first["items"]] == made[:2] and first["next"] == made[1]
    rest = (await suite.http.get(url, params={"limit": 2, "after": first["next"]}, headers=bureau)).json()
    assert [h["id"] for h in rest["items"]] == made[2:] and rest["next"] is None
    paused = (await suite.http.get(url, params={"status": "paused"}, headers=bureau)).json()
    assert [h["id"] for h in paused["items"]] == [made[1]]
    assert (await suite.http.get(url, params={"status": "broken"}, headers=bureau)).status_code == 422
