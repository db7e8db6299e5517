"""Metered calls: credit headers, the 402 body, and Idempotency-Key
(chalicelib/web/metering.py, Credits.spend_once)."""
import concurrent.futures
import datetime

import requests

from chalicelib.platform import clock
from chalicelib.credits.balances import CALL_PREFIX
from chalicelib.platform.models import Account, LedgerEntry, MeteredCall


def post(client, path, api_key, idempotency_key=None):
    headers = {"x-api-key": api_key}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return client.http.post(path, headers=headers)


def test_every_metered_answer_says_cost_and_remaining(client, api_key):
    response = post(client, "/test/heavy", api_key)
    assert response.status_code == 200
    assert (response.headers["X-Credits-Cost"], response.headers["X-Credits-Remaining"]) == ("5", "45")
    assert "Idempotent-Replayed" not in response.headers
    unauthorized = post(client, "/test/heavy", "nonsense")
    assert unauthorized.status_code == 401 and unauthorized.headers["X-Credits-Cost"] == "5"


def test_402_body_and_headers_say_what_was_required_and_what_remains(client, api_key):
    for _ in range(9):
        post(client, "/test/heavy", api_key)
    post(client, "/test", api_key)
    response = post(client, "/test/heavy", api_key)
    assert response.status_code == 402
    error = response.json_body["error"]
    assert (error["code"], error["required"], error["remaining"]) == ("insufficient_credits", 5, 4)
    assert (response.headers["X-Credits-Cost"], response.headers["X-Credits-Remaining"]) == ("5", "4")


def test_credit_headers_are_exposed_to_the_browser(client, api_key):
    response = client.http.post("/test", headers={"x-api-key": api_key, "Origin": "http://localhost:5173"})
    exposed = response.headers["Access-Control-Expose-Headers"].split(",")
    assert {"X-Credits-Cost", "X-Credits-Remaining", "Idempotent-Replayed"} <= set(exposed)


def test_the_same_key_charges_once_and_replays_the_first_answer(client, user, api_key):
    first = post(client, "/test/heavy", api_key, "order-17")
    assert (first.status_code, first.json_body) == (200, {"credits": 45})
    post(client, "/test", api_key)  # another call in between
    again = post(client, "/test/heavy", api_key, "order-17")
    assert (again.status_code, again.json_body) == (200, {"credits": 45})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["X-Credits-Remaining"] == "45"
    account = Account.get(user.id, consistent_read=True)
    assert int(account.credits) == 44
    assert sum(account.usage.as_dict().values()) == 6


def test_keys_are_per_account(client, new_user):
    keys = []
    for person in (new_user(), new_user()):
        keys.append(client.http.post("/generate-key", headers=person.headers).json_body["key"])
    assert post(client, "/test", keys[0], "shared-key").json_body == {"credits": 49}
    second = post(client, "/test", keys[1], "shared-key")
    assert second.json_body == {"credits": 49} and "Idempotent-Replayed" not in second.headers


def test_a_key_reused_on_another_route_is_a_409_and_charges_nothing(client, user, api_key):
    post(client, "/test", api_key, "k-1")
    response = post(client, "/test/heavy", api_key, "k-1")
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "idempotency_key_reused"
    assert int(Account.get(user.id, consistent_read=True).credits) == 49


def test_a_refused_call_is_not_remembered(client, user, api_key):
    Account(user.id).update(actions=[Account.credits.set(2)])
    assert post(client, "/test/heavy", api_key, "retry-me").status_code == 402
    Account(user.id).update(actions=[Account.credits.set(10)])
    response = post(client, "/test/heavy", api_key, "retry-me")
    assert response.status_code == 200 and response.json_body == {"credits": 5}
    assert "Idempotent-Replayed" not in response.headers


def test_a_replay_needs_the_current_api_key(client, user, api_key):
    post(client, "/test", api_key, "before-rotation")
    client.http.post("/generate-key", headers=user.headers)
    response = post(client, "/test", api_key, "before-rotation")
    assert response.status_code == 401


def test_a_replay_after_the_balance_ran_out_still_replays(client, user, api_key):
    assert post(client, "/test/heavy", api_key, "last-one").status_code == 200
    Account(user.id).update(actions=[Account.credits.set(0)])
    response = post(client, "/test/heavy", api_key, "last-one")
    assert response.status_code == 200 and response.headers["Idempotent-Replayed"] == "true"


def test_after_24_hours_a_key_charges_again(client, user, api_key):
    post(client, "/test", api_key, "daily")
    record = MeteredCall.get(user.id, CALL_PREFIX + "daily", consistent_read=True)
    record.update(actions=[MeteredCall.expires_at.set(clock.now() - datetime.timedelta(seconds=1))])
    response = post(client, "/test", api_key, "daily")
    assert response.json_body == {"credits": 48} and "Idempotent-Replayed" not in response.headers


def test_the_record_expires_with_dynamodb_ttl_and_stays_out_of_the_ledger(client, user, api_key):
    post(client, "/test", api_key, "ttl-check")
    record = MeteredCall.get(user.id, CALL_PREFIX + "ttl-check", consistent_read=True)
    ttl = record.expires_at - clock.now()
    assert datetime.timedelta(hours=23, minutes=59) < ttl <= datetime.timedelta(hours=24)
    description = MeteredCall._get_connection().connection.client.describe_time_to_live(
        TableName=MeteredCall.Meta.table_name)["TimeToLiveDescription"]
    assert (description["TimeToLiveStatus"], description["AttributeName"]) == ("ENABLED", "expires_at")
    assert [e.kind for e in LedgerEntry.by_time.query(user.id)] == ["signup"]
    assert [e["kind"] for e in client.http.get("/ledger", headers=user.headers).json_body["entries"]] == ["signup"]


def test_the_same_key_sent_concurrently_charges_once(api_url, user, api_key):
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=16))

    def hit(_):
        response = session.post(api_url + "/test/heavy", timeout=30,
                                headers={"x-api-key": api_key, "Idempotency-Key": "burst"})
        return response.status_code, response.json(), response.headers.get("Idempotent-Replayed")

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(hit, range(16)))
    assert {status for status, _, _ in results} == {200}
    assert [replayed for _, _, replayed in results].count(None) == 1
    assert int(Account.get(user.id, consistent_read=True).credits) == 45
    assert {body["credits"] for _, body, _ in results} <= {45}


def test_distinct_keys_sent_concurrently_each_charge_once(api_url, user, api_key):
    def hit(n):
        return requests.post(api_url + "/test", timeout=30,
                             headers={"x-api-key": api_key, "Idempotency-Key": "n-%d" % (n % 10)}).status_code

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        assert set(pool.map(hit, range(30))) == {200}
    assert int(Account.get(user.id, consistent_read=True).credits) == 40


def dynamodb_operations(client, requests_to_send):
    """The DynamoDB operations the app sends while answering the requests."""
    from scripts.measure import dynamodb_meter

    meter = dynamodb_meter.attached_to_app()
    try:
        with meter.measure() as tally:
            responses = [client.http.post(path, headers=headers) for path, headers in requests_to_send]
    finally:
        meter.detach()
    return responses, [call.operation for call in tally.calls]


def test_a_call_without_a_key_is_one_request_and_with_a_key_three(client, api_key):
    post(client, "/test", api_key, "warm-up")  # builds the clients
    _, plain = dynamodb_operations(client, [("/test", {"x-api-key": api_key})])
    assert plain == ["UpdateItem"]
    _, keyed = dynamodb_operations(client, [("/test", {"x-api-key": api_key, "Idempotency-Key": "count-me"})])
    assert keyed == ["TransactWriteItems", "GetItem", "UpdateItem"]
    responses, replay = dynamodb_operations(
        client, [("/test", {"x-api-key": api_key, "Idempotency-Key": "count-me"})])
    assert replay == ["TransactWriteItems"] and responses[0].headers["Idempotent-Replayed"] == "true"
