"""Low-balance alerts (GET/PUT /alerts): one email per crossing, seen from
the metered write's own answer; the call stays one DynamoDB request without a
crossing and two with one; the first 402 of a period sends one
`credits_used_up` email (chalicelib/credits/alerts.py)."""
import concurrent.futures

from conftest import call
from email_support import inbox_of
from chalicelib.credits.balances import Credits
from chalicelib.platform.models import Account


def spend(client, api_key, times=1, path="/test"):
    return [client.http.post(path, headers={"x-api-key": api_key}).status_code for _ in range(times)]


def low_balance_emails(user):
    return [message for message in inbox_of(user) if "running low" in message["subject"]]


def test_get_shows_the_default_and_put_sets_or_clears_the_threshold(client, user, api_key):
    assert call(client, "GET", "/alerts", user.headers) == (200, {"low_balance": None, "default": 5})
    assert call(client, "PUT", "/alerts", user.headers, {"low_balance": 40}) == (
        200, {"low_balance": 40, "default": 5})
    assert call(client, "GET", "/alerts", user.headers)[1]["low_balance"] == 40
    assert call(client, "PUT", "/alerts", user.headers, {"low_balance": None})[1] == {
        "low_balance": None, "default": 5}


def test_bad_bodies_are_400_invalid_alerts(client, user, api_key):
    for body in ({}, {"low_balance": -1}, {"low_balance": 1.5}, {"low_balance": "10"}, {"low_balance": True},
                 {"low_balance": 3, "other": 1}, {"low_balance": 10 ** 12}):
        status, answer = call(client, "PUT", "/alerts", user.headers, body)
        assert (status, answer["error"]["code"]) == (400, "invalid_alerts"), body


def test_one_email_when_a_call_crosses_and_none_until_credits_lift_the_balance_back(client, user, api_key,
                                                                                 outbox_stream):
    call(client, "PUT", "/alerts", user.headers, {"low_balance": 45})
    assert spend(client, api_key, 5) == [200] * 5  # 50 -> 45: not below yet
    outbox_stream.drain()
    assert low_balance_emails(user) == []
    spend(client, api_key, 3)  # 45 -> 44 crosses; 43, 42 do not
    outbox_stream.drain()
    [email] = low_balance_emails(user)
    assert "44 credits are left" in email["text"] and "threshold of 45" in email["text"]
    assert email["headers"].get("List-Unsubscribe")  # an optional email
    Credits().add_purchased(user.id, 10, "checkout:cs_alert_lift", "purchase", "pack")  # 52: re-armed
    spend(client, api_key, 8)  # 52 -> 44 crosses again
    outbox_stream.drain()
    assert len(low_balance_emails(user)) == 2


def test_twenty_concurrent_calls_across_the_threshold_send_one_email(client, user, api_key, outbox_stream):
    call(client, "PUT", "/alerts", user.headers, {"low_balance": 40})
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _: spend(client, api_key)[0], range(20)))
    assert statuses == [200] * 20
    outbox_stream.drain()
    assert len(low_balance_emails(user)) == 1


def test_the_default_is_ten_percent_of_the_allowance(client, user, api_key, outbox_stream):
    spend(client, api_key, 46)  # 50 -> 4 crosses the default of 5
    outbox_stream.drain()
    [email] = low_balance_emails(user)
    assert "threshold of 5 credits" in email["text"]


def test_turned_off_low_balance_emails_are_not_sent(client, user, api_key, outbox_stream):
    call(client, "PUT", "/notifications", user.headers, {"low_balance": False, "product_updates": True})
    spend(client, api_key, 46)
    outbox_stream.drain()
    assert low_balance_emails(user) == []


def test_the_first_402_of_a_period_sends_one_used_up_email(client, user, api_key, outbox_stream):
    spend(client, api_key, 50)
    assert spend(client, api_key, 5) == [402] * 5
    outbox_stream.drain()
    used_up = [m for m in inbox_of(user) if m["subject"].endswith("used up your credits")]
    assert len(used_up) == 1 and "balance of 0 credits" in used_up[0]["text"]


def test_without_a_crossing_a_call_is_one_request_and_with_one_two(client, user, api_key):
    from test_metering import dynamodb_operations

    call(client, "PUT", "/alerts", user.headers, {"low_balance": 45})
    spend(client, api_key)  # builds the clients; 49
    _, plain = dynamodb_operations(client, [("/test", {"x-api-key": api_key})] * 3)  # 48, 47, 46
    assert plain == ["UpdateItem"] * 3
    _, crossing = dynamodb_operations(client, [("/test", {"x-api-key": api_key})] * 2)  # 45, then 44 crosses
    assert crossing == ["UpdateItem", "UpdateItem", "PutItem"]


def test_a_plan_grant_sets_the_default_for_the_new_allowance(client, user, api_key):
    Credits().reset_plan(user.id, 1000, "invoice:in_alerts_default", "plan", "Basic")
    assert int(Account.get(user.id, consistent_read=True).thresholds.low_balance_default) == 100


def test_a_call_with_an_idempotency_key_that_crosses_sends_the_email_once(client, user, api_key, outbox_stream):
    call(client, "PUT", "/alerts", user.headers, {"low_balance": 45})
    headers = {"x-api-key": api_key, "Idempotency-Key": "cross-once"}
    spend(client, api_key, 5)
    assert [client.http.post("/test", headers=headers).status_code for _ in range(3)] == [200] * 3
    outbox_stream.drain()
    assert len(low_balance_emails(user)) == 1


def as_before_the_map(user_id, low_balance=None, default=None):
    """The account's thresholds where accounts from before `th` keep them."""
    values = {"lb": low_balance, "ld": default}
    Account(user_id).update(actions=[Account.thresholds.remove()] + [
        getattr(Account, name).set(values[short]) for name, short in (
            ("legacy_low_balance", "lb"), ("legacy_low_balance_default", "ld")) if values[short] is not None])


def stored(user_id):
    from chalicelib.platform import db

    item = db.table_connection(Account).get_item(user_id, consistent_read=True)["Item"]
    return item.get("th"), sorted(name for name in ("lb", "ld", "tt") if name in item)


def test_personal_and_team_accounts_start_with_the_map_and_its_default(client, user, api_key):
    assert stored(user.id) == ({"M": {"ld": {"N": "5"}}}, [])
    status, org = call(client, "POST", "/orgs", user.headers, {"name": "Thresholds Ltd"})
    assert status == 201, org
    assert stored(org["org"]["id"]) == ({"M": {"ld": {"N": "5"}}}, [])


def test_an_account_from_before_the_map_moves_on_its_first_call_and_its_threshold_still_counts(
        client, user, api_key, outbox_stream):
    spend(client, api_key)  # 49
    as_before_the_map(user.id, low_balance=45, default=5)
    assert spend(client, api_key, 4) == [200] * 4  # 45: not below yet
    assert stored(user.id) == ({"M": {"lb": {"N": "45"}, "ld": {"N": "5"}}}, [])
    spend(client, api_key)  # 44 crosses
    outbox_stream.drain()
    [email] = low_balance_emails(user)
    assert "threshold of 45" in email["text"]


def test_an_account_from_before_the_map_without_a_default_gets_its_plans(client, user, api_key, outbox_stream):
    spend(client, api_key)
    as_before_the_map(user.id)
    spend(client, api_key, 45)  # 49 -> 4 crosses the Free plan's default, 5
    outbox_stream.drain()
    assert "threshold of 5 credits" in low_balance_emails(user)[0]["text"]
    assert stored(user.id) == ({"M": {"ld": {"N": "5"}}}, [])


def test_settings_and_grants_move_an_account_from_before_the_map_first(client, user, api_key):
    spend(client, api_key)
    as_before_the_map(user.id, low_balance=30, default=5)
    assert call(client, "GET", "/alerts", user.headers) == (200, {"low_balance": 30, "default": 5})
    assert stored(user.id) == ({"M": {"lb": {"N": "30"}, "ld": {"N": "5"}}}, [])
    as_before_the_map(user.id, low_balance=30, default=5)
    assert call(client, "PUT", "/alerts", user.headers, {"low_balance": None})[1] == {"low_balance": None, "default": 5}
    assert stored(user.id) == ({"M": {"ld": {"N": "5"}}}, [])
    as_before_the_map(user.id, low_balance=30)
    Credits().reset_plan(user.id, 1000, "invoice:in_legacy_default", "plan", "Basic")
    assert stored(user.id) == ({"M": {"lb": {"N": "30"}, "ld": {"N": "100"}}}, [])


def test_an_answer_without_the_thresholds_is_completed_by_a_read(client, user, api_key, monkeypatch):
    """A database that answers UPDATED_NEW with changed attributes only (as
    moto does unpatched) costs a read, never a missed crossing."""
    from chalicelib.credits.alerts import Alerts
    from chalicelib.credits.plans import Plans
    from chalicelib.platform.models import CROSSING_PREFIX, Crossing

    call(client, "PUT", "/alerts", user.headers, {"low_balance": 45})
    reads = []
    read = Account.get
    monkeypatch.setattr(Account, "get", lambda *args, **kwargs: reads.append(args[-1]) or read(*args, **kwargs))
    alerts = Alerts(Plans(), notify=None)
    assert alerts.after_spend(user.id, {"credits": {"N": "45"}}, 1) is None  # 46 -> 45: not below
    crossing_id = alerts.after_spend(user.id, {"credits": {"N": "44"}}, 1)
    assert alerts.after_spend(user.id, {"credits": {"N": "43"}, "th": {"M": {"lb": {"N": "45"}, "ld": {"N": "5"}}}},
                              1) is None
    assert reads == [user.id, user.id]  # the complete answer is not read again
    crossing = Crossing.get(user.id, CROSSING_PREFIX + crossing_id, consistent_read=True)
    assert (int(crossing.credits), int(crossing.alert), crossing.top_up) == (44, 45, None)
