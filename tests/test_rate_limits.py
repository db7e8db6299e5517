"""Per-key rate limits: checked inside the metered call's one conditional
write (chalicelib/keys/rate_limits.py), exact under concurrency, 429 with
Retry-After, nothing charged past the limit."""
import concurrent.futures
import datetime

import pytest
import requests

from chalicelib.keys import rate_limits
from chalicelib.platform import clock
from chalicelib.platform.models import Account
from conftest import call

# 10:00:45.2 UTC: 15 seconds before the minute ends.
FROZEN = datetime.datetime(2026, 12, 1, 10, 0, 45, 200000, tzinfo=datetime.timezone.utc)


@pytest.fixture
def frozen(monkeypatch):
    """The app's clock, stopped at FROZEN until moved."""
    now = {"at": FROZEN}
    monkeypatch.setattr(clock, "now", lambda: now["at"])
    return now


def new_key(client, user, name, rate_limit):
    status, body = call(client, "POST", "/keys", user.headers, {"name": name, "rate_limit": rate_limit})
    assert status == 201, body
    return body


def test_of_20_concurrent_calls_on_a_5_per_second_key_exactly_5_are_charged(api_url, client, user, frozen):
    staging = new_key(client, user, "staging", {"requests": 5, "per": "second"})
    prod = new_key(client, user, "prod", None)

    def hit(_):
        response = requests.post(api_url + "/test", headers={"x-api-key": staging["key"]}, timeout=30)
        return response.status_code, response.headers.get("Retry-After"), response.json()

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        results = list(pool.map(hit, range(20)))
    assert sorted(status for status, _, _ in results) == [200] * 5 + [429] * 15
    refused = [(retry, body["error"]["code"]) for status, retry, body in results if status == 429]
    assert set(refused) == {("1", "rate_limited")}
    account = Account.get(user.id, consistent_read=True)
    assert int(account.credits) == 45 and sum(account.usage.as_dict().values()) == 5
    assert call(client, "POST", "/test", {"x-api-key": prod["key"]}) == (200, {"credits": 44})
    frozen["at"] += datetime.timedelta(seconds=1)  # the next window
    assert call(client, "POST", "/test", {"x-api-key": staging["key"]}) == (200, {"credits": 43})


def test_a_refused_call_answers_429_with_the_seconds_left_in_its_window(client, user, frozen):
    key = new_key(client, user, "batch", {"requests": 2, "per": "minute"})
    assert [client.http.post("/test", headers={"x-api-key": key["key"]}).status_code for _ in range(3)] == [
        200, 200, 429]
    refused = client.http.post("/test/heavy", headers={"x-api-key": key["key"], "Origin": "http://localhost:5173"})
    assert refused.status_code == 429
    assert (refused.headers["Retry-After"], refused.headers["X-Credits-Cost"]) == ("15", "5")
    assert "Retry-After" in refused.headers["Access-Control-Expose-Headers"].split(",")
    assert int(Account.get(user.id, consistent_read=True).credits) == 48
    frozen["at"] = FROZEN.replace(second=59, microsecond=999999)
    assert client.http.post("/test", headers={"x-api-key": key["key"]}).status_code == 429
    frozen["at"] = FROZEN.replace(minute=1, second=0, microsecond=0)
    assert client.http.post("/test", headers={"x-api-key": key["key"]}).status_code == 200


def test_a_replayed_idempotency_key_is_not_rate_limited_and_a_limited_call_is_not_remembered(client, user, frozen):
    key = new_key(client, user, "jobs", {"requests": 1, "per": "second"})
    headers = {"x-api-key": key["key"], "Idempotency-Key": "job-1"}
    assert client.http.post("/test", headers=headers).status_code == 200
    again = client.http.post("/test", headers=headers)
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")
    limited = client.http.post("/test", headers=dict(headers, **{"Idempotency-Key": "job-2"}))
    assert limited.status_code == 429
    frozen["at"] += datetime.timedelta(seconds=1)
    retried = client.http.post("/test", headers=dict(headers, **{"Idempotency-Key": "job-2"}))
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    assert int(Account.get(user.id, consistent_read=True).credits) == 48


def test_changing_a_limit_keeps_the_calls_already_made_in_the_window(client, user, frozen):
    key = new_key(client, user, "etl", None)
    for _ in range(3):
        assert client.http.post("/test", headers={"x-api-key": key["key"]}).status_code == 200
    status, changed = call(client, "PATCH", "/keys/" + key["id"], user.headers,
                           {"rate_limit": {"requests": 2, "per": "second"}})
    assert (status, changed["rate_limit"]) == (200, {"requests": 2, "per": "second"})
    # Only the last use was kept without a limit: one more call fits this second.
    assert [client.http.post("/test", headers={"x-api-key": key["key"]}).status_code for _ in range(2)] == [200, 429]
    status, changed = call(client, "PATCH", "/keys/" + key["id"], user.headers, {"rate_limit": None})
    assert changed["rate_limit"] is None
    assert client.http.post("/test", headers={"x-api-key": key["key"]}).status_code == 200


def test_window_arithmetic():
    now = int(FROZEN.timestamp())
    assert rate_limits.window_start(60, now) == now - 45 and rate_limits.window_start(1, now) == now
    assert rate_limits.retry_after({"p": 60}, now) == 15 and rate_limits.retry_after({"p": 1}, now) == 1
    assert rate_limits.times_for(None, [5, 9, 7]) == [9]
    assert rate_limits.times_for(rate_limits.RateLimit(4, "second"), [5, 9]) == [0, 0, 5, 9]
    assert rate_limits.is_limited({"p": 1, "q": [now, now]}, now)
    assert not rate_limits.is_limited({"p": 1, "q": [now - 1, now]}, now)
    assert not rate_limits.is_limited({"p": 0, "q": [now]}, now)
    assert rate_limits.last_used([0]) is None and rate_limits.last_used([0, now]) == "2026-12-01"
