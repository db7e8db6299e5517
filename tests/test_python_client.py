"""The Python client (clients/python) without a server: its generated half is
what the current OpenAPI document generates (`make client` leaves no diff),
and its retry rules on answers made up by an httpx mock transport.
tests/test_local_stack_client.py tries it against the local stack."""
import asyncio
import json
import random

import httpx
import pytest

from credits_saas import (
    AccountSuspended, ApiError, AsyncClient, Client, ConnectionFailed, InsufficientCredits, InvalidApiKey,
    RateLimited, Retries)
from scripts import client as generator

BASE = "http://api.test"


def test_the_committed_client_is_what_the_document_generates(tmp_path):
    generator.generate(str(tmp_path))
    assert generator.differences(generator.CLIENT, str(tmp_path)) == [], \
        "clients/python differs from what the OpenAPI document generates: run `make client`"


def test_a_changed_document_is_noticed(tmp_path):
    import shutil
    shutil.copytree(generator.CLIENT, str(tmp_path), dirs_exist_ok=True)
    models = tmp_path / generator.PACKAGE / "models"
    (models / "error.py").write_text((models / "error.py").read_text() + "\n# changed\n")
    (models / "extra.py").write_text("")
    assert generator.differences(generator.CLIENT, str(tmp_path)) == [
        generator.PACKAGE + "/models/error.py", generator.PACKAGE + "/models/extra.py"]


def answer(status, body=None, headers=None):
    return httpx.Response(status, json=body, headers=dict({"X-Credits-Cost": "1"}, **(headers or {})))


def ok(remaining=9, replayed=False):
    headers = {"X-Credits-Remaining": str(remaining)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return answer(200, {"credits": remaining}, headers)


def refusal(status, code, **fields):
    return answer(status, {"error": dict({"code": code, "message": "refused: " + code}, **fields)})


def scripted(*answers):
    """A transport giving `answers` in turn (an exception is raised); the requests are kept."""
    sent = []
    queue = list(answers)

    def handle(request):
        sent.append(request)
        next_answer = queue.pop(0)
        if isinstance(next_answer, Exception):
            raise next_answer
        return next_answer
    return httpx.MockTransport(handle), sent


def client(transport, waits, **options):
    return Client(api_key="sk_test", base_url=BASE, transport=transport, sleep=waits.append,
                  rng=random.Random(7), **options)


def test_gateway_errors_and_lost_connections_are_retried_with_one_idempotency_key():
    transport, sent = scripted(httpx.ConnectError("refused"), answer(502), answer(503), answer(504),
                               httpx.ReadTimeout("slow"), ok(replayed=True))
    waits = []
    result = client(transport, waits, max_retries=5).call("/test", body={"q": 1})
    assert (result.remaining, result.cost, result.replayed, result.attempts) == (9, 1, True, 6)
    assert {request.headers["Idempotency-Key"] for request in sent} == {result.idempotency_key}
    assert {request.headers["x-api-key"] for request in sent} == {"sk_test"}
    assert json.loads(sent[0].content) == {"q": 1}
    retries = Retries()
    assert len(waits) == 5
    for n, wait in enumerate(waits[:4]):
        ceiling = min(retries.max_delay, retries.base_delay * 2 ** n)
        assert ceiling / 2 <= wait <= ceiling


def test_the_back_off_is_capped():
    retries = Retries(base_delay=1, max_delay=3)
    assert all(1.5 <= retries.backoff(n) <= 3 for n in range(2, 12))


def test_a_429_waits_retry_after_and_is_raised_when_retries_run_out():
    transport, sent = scripted(answer(429, {"error": {"code": "rate_limited", "message": "slow down"}},
                                      {"Retry-After": "2"}), ok())
    waits = []
    assert client(transport, waits).call().attempts == 2
    assert waits == [2.0]

    limited = answer(429, {"error": {"code": "rate_limited", "message": "slow down"}}, {"Retry-After": "1"})
    transport, sent = scripted(limited, limited, limited)
    waits = []
    with pytest.raises(RateLimited) as raised:
        client(transport, waits, max_retries=2).call()
    assert (raised.value.retry_after, raised.value.code, len(sent), waits) == (1.0, "rate_limited", 3, [1.0, 1.0])

    transport, sent = scripted(answer(429, {"error": {"code": "rate_limited", "message": "x"}},
                                      {"Retry-After": "600"}))
    with pytest.raises(RateLimited):
        client(transport, []).call()
    assert len(sent) == 1  # longer than max_retry_after: not waited for


@pytest.mark.parametrize("status, body, error", [
    (402, {"code": "insufficient_credits", "message": "m", "required": 5, "remaining": 2}, InsufficientCredits),
    (401, {"code": "invalid_api_key", "message": "m"}, InvalidApiKey),
    (403, {"code": "account_suspended", "message": "m"}, AccountSuspended),
    (409, {"code": "idempotency_key_reused", "message": "m"}, ApiError),
    (400, {"code": "invalid_json", "message": "m"}, ApiError),
])
def test_other_refusals_are_typed_errors_and_never_retried(status, body, error):
    transport, sent = scripted(answer(status, {"error": body}))
    with pytest.raises(error) as raised:
        client(transport, []).call()
    assert (raised.value.status, raised.value.code, raised.value.message, len(sent)) == (status, body["code"], "m", 1)
    if error is InsufficientCredits:
        assert (raised.value.required, raised.value.remaining) == (5, 2)


def test_no_answer_after_the_last_retry_is_connection_failed():
    transport, sent = scripted(*[httpx.ConnectError("refused")] * 3)
    with pytest.raises(ConnectionFailed) as raised:
        client(transport, [], max_retries=2).call(idempotency_key="mine-1")
    assert raised.value.code == "connection_error" and raised.value.status is None
    assert [request.headers["Idempotency-Key"] for request in sent] == ["mine-1"] * 3


def test_the_async_client_retries_the_same_way():
    transport, sent = scripted(httpx.ReadError("reset"), answer(503), ok(remaining=3, replayed=True))
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    async def call():
        async with AsyncClient(api_key="sk_test", base_url=BASE, transport=transport, sleep=sleep) as c:
            return await c.call("/test/heavy")
    result = asyncio.run(call())
    assert (result.remaining, result.attempts, len(waits)) == (3, 3, 2)
    assert {request.headers["Idempotency-Key"] for request in sent} == {result.idempotency_key}
    assert sent[0].url.path == "/test/heavy"
