"""`Idempotency-Key` on every write (DESIGN §6): a write sent many times at once, or retried after a
timeout, takes effect once, and every copy learns its answer."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from shared.db import utcnow
from shared.timeutil import today_in_china
from tests.factories import new_uscc, registration_body
from tests.integration.suite import InProcessSuite

REGISTRAR = ("minzheng", "441802")
HR = ("renshe", "441800")


async def count(suite: InProcessSuite, service: str, table: str) -> int:
    async with suite.runtime(service).db.reading() as session:
        return (await session.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one()


async def test_a_retried_registration_gets_its_first_answer_not_a_conflict(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    url = suite.url("registration", "/v1/registrations")
    body = registration_body(*REGISTRAR)
    headers = {**token_for(*REGISTRAR), "Idempotency-Key": "reg-1"}
    events = await count(suite, "registration", "outbox")
    first = await suite.http.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await suite.http.post(url, json=body, headers=headers)
    # without the key the copy would be told 409 duplicate-registration, as if someone else had registered it
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    # the same through the gateway, which passes the key on and the replay mark back
    gateway = suite.url("gateway", "/api/registration/v1/registrations")
    through = await suite.http.post(gateway, json=body, headers=headers)
    assert (through.status_code, through.json(), through.headers["idempotent-replayed"]) == (201, first.json(), "true")
    assert await count(suite, "registration", "outbox") == events + 1
    # the same key for another request is a mistake, named as such
    other = await suite.http.post(url, json={**body, "name": "另一家"}, headers=headers)
    assert (other.status_code, other.json()["type"]) == (422, "urn:tuoyu:problem:idempotency-key-reused")
    # keys are the caller's own: another clerk's same key is another request
    city = await suite.http.post(url, json=body, headers={**token_for("minzheng", "441800"), "Idempotency-Key": "reg-1"})
    assert city.status_code == 409 and "idempotent-replayed" not in city.headers


async def test_many_copies_at_once_make_one_session(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    hr = token_for(*HR)
    course = await suite.http.post(
        suite.url("training", "/v1/courses"), json={"code": "IDEM-1", "title": "保育员在职培训", "occupation": "baoyuyuan", "hours": 8}, headers=hr
    )
    assert course.status_code == 201, course.text
    url = suite.url("training", f"/v1/courses/{course.json()['id']}/sessions")
    starts = today_in_china() + dt.timedelta(days=7)
    body = {"county": "441802", "location": "清远市职业技术学院", "starts_on": starts.isoformat(), "ends_on": starts.isoformat(), "capacity": 20}
    before = await count(suite, "training", "course_session")
    keyed = {**hr, "Idempotency-Key": "session-7"}

    answers = await asyncio.gather(*(suite.http.post(url, json=body, headers=keyed) for _ in range(12)))
    # each copy either ran, got the answer of the one that ran, or was told to retry in a second
    assert {a.status_code for a in answers} <= {201, 409}
    assert all(a.headers["retry-after"] == "1" for a in answers if a.status_code == 409)
    made = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(made) == 1
    retried = await suite.http.post(url, json=body, headers=keyed)
    assert (retried.status_code, retried.json()["id"]) == (201, made.pop())
    assert await count(suite, "training", "course_session") == before + 1
    # without a key, the same body is a second session, as the caller asked
    assert (await suite.http.post(url, json=body, headers=hr)).status_code == 201
    assert await count(suite, "training", "course_session") == before + 2


async def test_a_refusal_is_not_kept_a_retry_after_the_state_changed_runs(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    body = registration_body(*REGISTRAR)
    headers = {**token_for(*REGISTRAR), "Idempotency-Key": "end-1"}
    ending = {"reason": "停业", "on": today_in_china().isoformat()}
    url = suite.url("registration", f"/v1/registrations/{body['uscc']}/deregistration")
    assert (await suite.http.post(url, json=ending, headers=headers)).status_code == 404  # not registered yet
    registered = await suite.http.post(suite.url("registration", "/v1/registrations"), json=body, headers=token_for(*REGISTRAR))
    assert registered.status_code == 201
    ended = await suite.http.post(url, json=ending, headers=headers)
    assert (ended.status_code, ended.json()["status"]) == (200, "deregistered")
    assert "idempotent-replayed" not in ended.headers
    assert (await suite.http.post(url, json=ending, headers=headers)).headers["idempotent-replayed"] == "true"


async def test_a_write_applied_whose_answer_was_lost_is_not_made_again(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    url = suite.url("registration", "/v1/registrations")
    body = registration_body(*REGISTRAR)
    headers = {**token_for(*REGISTRAR), "Idempotency-Key": "lost-1"}
    assert (await suite.http.post(url, json=body, headers=headers)).status_code == 201
    keys = suite.runtime("registration").tables.idempotency_key  # type: ignore[union-attr]

    async def as_if(age: dt.timedelta) -> None:  # the process applied the write, then died before keeping the answer
        async with suite.runtime("registration").db.transaction() as session:
            await session.execute(
                sa.update(keys).where(keys.c.key == "lost-1").values(status="applied", response_status=None, response_body=None, created_at=utcnow() - age)
            )

    await as_if(dt.timedelta(seconds=0))
    busy = await suite.http.post(url, json=body, headers=headers)
    assert (busy.status_code, busy.json()["type"], busy.headers["retry-after"]) == (409, "urn:tuoyu:problem:request-in-progress", "1")
    await as_if(dt.timedelta(minutes=5))
    lost = await suite.http.post(url, json=body, headers=headers)
    assert (lost.status_code, lost.json()["type"]) == (409, "urn:tuoyu:problem:request-applied")


async def test_a_retried_import_is_the_same_request_though_its_multipart_boundary_is_new(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.test_import import CLERK, row, sheet, template_header, upload

    content = sheet(await template_header(suite, token_for), [row(new_uscc("shichang", "441881"))])
    keyed = {**token_for(*CLERK), "Idempotency-Key": "import-1"}
    url = suite.url("registration", "/v1/registrations/imports")
    files = {"file": ("名单.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    first = await suite.http.post(url, files=files, headers=keyed)  # each send draws its own boundary
    again = await suite.http.post(url, files=files, headers=keyed)
    assert first.status_code == again.status_code == 200 and first.request.headers["content-type"] != again.request.headers["content-type"]
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert first.json()["accepted"] == 1
    other = await suite.http.post(url, files={"file": ("名单.xlsx", content + b" ", files["file"][2])}, headers=keyed)
    assert other.status_code == 422 and other.json()["type"] == "urn:tuoyu:problem:idempotency-key-reused"
    assert (await upload(suite, token_for, content)).json()["accepted"] == 0  # without the key: a new import, the row a duplicate now


async def test_a_secret_shown_once_is_not_kept_for_a_retry(suite: InProcessSuite, token_for) -> None:  # type: ignore[no-untyped-def]
    headers = {**token_for("gongan", "441821"), "Idempotency-Key": "hook-1"}
    body = {"url": "http://127.0.0.1:9/hook"}
    created = await suite.http.post(suite.url("gateway", "/api/webhooks"), json=body, headers=headers)
    assert created.status_code == 201 and created.json()["secret"]
    again = await suite.http.post(suite.url("gateway", "/api/webhooks"), json=body, headers=headers)
    assert (again.status_code, again.json()["type"]) == (409, "urn:tuoyu:problem:request-applied")  # made once, the secret not shown again
    keys = suite.runtime("gateway").tables.idempotency_key  # type: ignore[union-attr]
    async with suite.runtime("gateway").db.reading() as session:
        stored = (await session.execute(sa.select(keys).where(keys.c.key == "hook-1"))).one()
    assert (stored.status, stored.response_body) == ("unkept", None) and created.json()["secret"] not in str(stored._mapping)
