"""The operators' routes: who may call them, and what each one does and
records. Exactness under concurrency is in tests/test_adjustments.py."""
import uuid

import pytest

from conftest import call
from tokens import claims_for, foreign_key, sign

ACCOUNT = "/admin/accounts/%s"
ROUTES = [
    ("GET", "/admin/accounts?q=someone", None),
    ("GET", ACCOUNT % "x", None),
    ("POST", ACCOUNT % "x" + "/credits", {"credits": 5, "bucket": "purchased", "reason": "because"}),
    ("POST", ACCOUNT % "x" + "/suspend", {"reason": "because"}),
    ("POST", ACCOUNT % "x" + "/unsuspend", {"reason": "because"}),
    ("POST", ACCOUNT % "x" + "/revoke-key", {"reason": "because"}),
    ("GET", "/admin/summary", None),
    ("GET", "/admin/audit", None),
]
ROUTE_IDS = ["%s %s" % (method, path.split("?")[0]) for method, path, _ in ROUTES]


def grant(client, operator, account_id, credits=500, bucket="purchased", reason="Outage on 30 Nov", key=None,
          **extra):
    headers = dict(operator.headers, **{"Idempotency-Key": key or uuid.uuid4().hex})
    return call(client, "POST", ACCOUNT % account_id + "/credits", headers,
                dict({"credits": credits, "bucket": bucket, "reason": reason}, **extra))


@pytest.fixture
def customer(client, user):
    status, body = call(client, "GET", "/user", user.headers)
    assert status == 200, body
    return user


@pytest.mark.parametrize("method,path,body", ROUTES, ids=ROUTE_IDS)
def test_a_customers_token_is_forbidden(client, user, method, path, body):
    status, answer = call(client, method, path, dict(user.headers, **{"Idempotency-Key": "k1"}), body)
    assert (status, answer["error"]["code"]) == (403, "forbidden")


@pytest.mark.parametrize("method,path,body", ROUTES, ids=ROUTE_IDS)
def test_no_token_is_unauthorized(client, method, path, body):
    status, answer = call(client, method, path, {"Idempotency-Key": "k1"}, body)
    assert (status, answer["error"]["code"]) == (401, "missing_token")


@pytest.mark.parametrize("method,path,body", ROUTES, ids=ROUTE_IDS)
def test_an_operator_token_of_another_pool_is_unauthorized(client, aws_stack, method, path, body):
    other_pool = dict(aws_stack, user_pool_id=aws_stack["region"] + "_OtherPool1")
    claims = claims_for(other_pool, str(uuid.uuid4()), "ops@example.com", **{"cognito:groups": ["admins"]})
    token = sign(claims)
    status, answer = call(client, method, path, {"Authorization": "Bearer " + token, "Idempotency-Key": "k1"},
                          body)
    assert (status, answer["error"]["code"]) == (401, "invalid_token")


@pytest.mark.parametrize("method,path,body", ROUTES, ids=ROUTE_IDS)
def test_a_forged_admins_claim_is_unauthorized(client, aws_stack, method, path, body):
    claims = claims_for(aws_stack, str(uuid.uuid4()), "ops@example.com", **{"cognito:groups": ["admins"]})
    token = sign(claims, foreign_key(), "forged")
    status, answer = call(client, method, path, {"Authorization": "Bearer " + token, "Idempotency-Key": "k1"},
                          body)
    assert (status, answer["error"]["code"]) == (401, "invalid_token")


def test_an_operator_finds_a_customer_by_email_prefix_id_and_key(client, operator, customer):
    status, key_body = call(client, "POST", "/generate-key", customer.headers)
    key = key_body["key"]
    for query in (customer.email[:12], customer.email.upper()[:12], customer.id, key, key[:11]):
        status, body = call(client, "GET", "/admin/accounts?q=%s&limit=50" % query, operator.headers)
        assert status == 200, body
        assert customer.id in [row["id"] for row in body["accounts"]], query


def test_a_search_pages_with_a_cursor_and_refuses_a_forged_one(client, operator, customer):
    seen, cursor = [], None
    for _ in range(50):
        path = "/admin/accounts?q=user-&limit=1" + ("&cursor=" + cursor if cursor else "")
        status, body = call(client, "GET", path, operator.headers)
        assert status == 200, body
        seen.extend(row["id"] for row in body["accounts"])
        cursor = body["next_cursor"]
        if customer.id in seen or cursor is None:
            break
    assert customer.id in seen
    assert len(seen) == len(set(seen))
    status, body = call(client, "GET", "/admin/accounts?q=user-&cursor=%%%%", operator.headers)
    assert (status, body["error"]["code"]) == (400, "invalid_cursor")


def test_the_account_page_has_balances_stripe_usage_ledger_and_suspension(client, operator, customer):
    status, body = call(client, "GET", ACCOUNT % customer.id, operator.headers)
    assert status == 200, body
    account = body["account"]
    assert account["id"] == customer.id and account["email"] == customer.email
    assert account["owed_credits"] == 0 and account["suspension"] is None
    assert len(account["usage"]) == 30
    assert [entry["kind"] for entry in account["ledger"]["entries"]] == ["signup"]
    status, body = call(client, "GET", ACCOUNT % "no-such-account", operator.headers)
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_a_grant_is_in_the_ledger_with_its_reason_and_operator_and_in_the_audit(client, operator, customer):
    before = call(client, "GET", "/user", customer.headers)[1]["user"]
    status, body = grant(client, operator, customer.id, 500, reason="Outage on 30 Nov")
    assert status == 200, body
    assert body["applied"] is True
    after = call(client, "GET", "/user", customer.headers)[1]["user"]
    assert after["purchased_credits"] == before["purchased_credits"] + 500
    assert after["credits"] == before["credits"] + 500
    entries = call(client, "GET", "/ledger", customer.headers)[1]["entries"]
    assert (entries[0]["kind"], entries[0]["credits"], entries[0]["description"]) == (
        "adjustment", 500, "Outage on 30 Nov")
    assert "operator" not in entries[0]
    admin_entries = call(client, "GET", ACCOUNT % customer.id, operator.headers)[1]["account"]["ledger"]["entries"]
    assert admin_entries[0]["operator"] == "cognito:" + operator.id
    record = latest_audit(client, operator, customer.id)
    assert (record["action"], record["operator"], record["reason"]) == (
        "grant", "cognito:" + operator.id, "Outage on 30 Nov")
    assert record["details"]["credits"] == 500 and record["details"]["bucket"] == "purchased"


def test_a_repeated_idempotency_key_adjusts_once_and_another_body_is_a_conflict(client, operator, customer):
    first = grant(client, operator, customer.id, 500, key="double-click")
    second = grant(client, operator, customer.id, 500, key="double-click")
    assert first[1]["applied"] is True and second[1]["applied"] is False
    assert second[1]["balances"] == first[1]["balances"]
    status, body = grant(client, operator, customer.id, 700, key="double-click")
    assert (status, body["error"]["code"]) == (409, "idempotency_key_reused")


@pytest.mark.parametrize("body,code", [
    ({"credits": 0, "reason": "nothing"}, "invalid_credits"),
    ({"credits": 1.5, "reason": "a half"}, "invalid_credits"),
    ({"credits": True, "reason": "a bool"}, "invalid_credits"),
    ({"credits": 5, "reason": "no"}, "invalid_reason"),
    ({"credits": 5, "reason": "x" * 201}, "invalid_reason"),
    ({"credits": 5}, "invalid_reason"),
    ({"credits": 5, "reason": "fine", "bucket": "other"}, "invalid_bucket"),
    ({"credits": -5, "reason": "fine", "allow_negative": "yes"}, "invalid_allow_negative"),
])
def test_a_bad_adjustment_is_refused_and_changes_nothing(client, operator, customer, body, code):
    before = call(client, "GET", "/user", customer.headers)[1]["user"]["credits"]
    headers = dict(operator.headers, **{"Idempotency-Key": uuid.uuid4().hex})
    status, answer = call(client, "POST", ACCOUNT % customer.id + "/credits", headers, body)
    assert (status, answer["error"]["code"]) == (400, code)
    assert call(client, "GET", "/user", customer.headers)[1]["user"]["credits"] == before


def test_an_adjustment_needs_an_idempotency_key(client, operator, customer):
    status, answer = call(client, "POST", ACCOUNT % customer.id + "/credits", operator.headers,
                          {"credits": 5, "reason": "because"})
    assert (status, answer["error"]["code"]) == (400, "missing_idempotency_key")


def test_a_void_below_zero_needs_allow_negative(client, operator, customer):
    total = call(client, "GET", "/user", customer.headers)[1]["user"]["credits"]
    status, body = grant(client, operator, customer.id, -(total + 10), reason="Chargeback")
    assert (status, body["error"]["code"]) == (409, "would_go_negative")
    assert call(client, "GET", "/user", customer.headers)[1]["user"]["credits"] == total
    status, body = grant(client, operator, customer.id, -(total + 10), reason="Chargeback", allow_negative=True)
    assert status == 200, body
    assert body["balances"] == {"credits": -10, "plan_credits": -10, "purchased_credits": 0, "owed_credits": 10}
    assert latest_audit(client, operator, customer.id)["action"] == "void"


def test_an_unknown_account_is_a_404_for_every_action(client, operator):
    for suffix, body in (("/credits", {"credits": 5, "reason": "because"}), ("/suspend", {"reason": "abuse"}),
                         ("/unsuspend", {"reason": "abuse"}), ("/revoke-key", {"reason": "abuse"})):
        headers = dict(operator.headers, **{"Idempotency-Key": uuid.uuid4().hex})
        status, answer = call(client, "POST", ACCOUNT % ("missing-" + uuid.uuid4().hex) + suffix, headers, body)
        assert (status, answer["error"]["code"]) == (404, "not_found"), suffix


def test_suspension_refuses_metered_calls_charging_nothing_and_the_customer_reads_why(
        client, operator, customer):
    key = call(client, "POST", "/generate-key", customer.headers)[1]["key"]
    before = call(client, "GET", "/user", customer.headers)[1]["user"]["credits"]
    status, body = call(client, "POST", ACCOUNT % customer.id + "/suspend", operator.headers,
                        {"reason": "Hammering the API"})
    assert status == 200 and body["suspension"]["reason"] == "Hammering the API"
    for headers in ({"x-api-key": key}, {"x-api-key": key, "Idempotency-Key": "call-1"}):
        status, answer = call(client, "POST", "/test", headers)
        assert (status, answer["error"]["code"]) == (403, "account_suspended")
    user = call(client, "GET", "/user", customer.headers)[1]["user"]
    assert user["credits"] == before
    assert user["suspension"]["reason"] == "Hammering the API" and "operator" not in user["suspension"]
    assert latest_audit(client, operator, customer.id)["action"] == "suspend"

    status, body = call(client, "POST", ACCOUNT % customer.id + "/unsuspend", operator.headers,
                        {"reason": "Customer fixed their loop"})
    assert status == 200 and body["suspension"] is None
    status, answer = call(client, "POST", "/test", {"x-api-key": key})
    assert status == 200 and answer["credits"] == before - 1
    assert call(client, "GET", "/user", customer.headers)[1]["user"]["suspension"] is None
    record = latest_audit(client, operator, customer.id)
    assert (record["action"], record["reason"]) == ("unsuspend", "Customer fixed their loop")


def new_key(client, customer, name):
    status, body = call(client, "POST", "/keys", customer.headers, {"name": name})
    assert status == 201, body
    return body


def test_revoke_key_stops_one_named_key_or_all_of_them_at_once(client, operator, customer):
    prod, staging = new_key(client, customer, "prod"), new_key(client, customer, "staging")
    for key in (prod, staging):
        assert call(client, "POST", "/test", {"x-api-key": key["key"]})[0] == 200
    status, body = call(client, "POST", ACCOUNT % customer.id + "/revoke-key", operator.headers,
                        {"reason": "Staging key leaked", "key_id": staging["id"]})
    assert (status, body) == (200, {"revoked": [staging["id"]]})
    assert call(client, "POST", "/test", {"x-api-key": staging["key"]})[1]["error"]["code"] == "invalid_api_key"
    assert call(client, "POST", "/test", {"x-api-key": prod["key"]})[0] == 200
    record = latest_audit(client, operator, customer.id)
    assert (record["action"], record["details"]["keys"]) == ("revoke_key", staging["id"])

    status, body = call(client, "POST", ACCOUNT % customer.id + "/revoke-key", operator.headers,
                        {"reason": "Account compromised"})
    assert status == 200 and prod["id"] in body["revoked"]
    assert call(client, "POST", "/test", {"x-api-key": prod["key"]})[0] == 401
    assert call(client, "GET", "/keys", customer.headers)[1]["keys"] == []
    assert call(client, "GET", ACCOUNT % customer.id, operator.headers)[1]["account"]["api_keys"] == []
    fresh = new_key(client, customer, "after")
    assert call(client, "POST", "/test", {"x-api-key": fresh["key"]})[0] == 200


@pytest.mark.parametrize("key_id,status,code", [("nothex!!", 400, "invalid_key_id"), ("00000000", 404, "not_found")])
def test_revoking_a_key_the_account_does_not_have_changes_nothing(client, operator, customer, key_id, status, code):
    key = new_key(client, customer, "prod")
    answer = call(client, "POST", ACCOUNT % customer.id + "/revoke-key", operator.headers,
                  {"reason": "Wrong key", "key_id": key_id})
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)
    assert call(client, "POST", "/test", {"x-api-key": key["key"]})[0] == 200


def test_the_audit_lists_newest_first_and_pages(client, operator, customer):
    for reason in ("first reason", "second reason", "third reason"):
        call(client, "POST", ACCOUNT % customer.id + "/suspend", operator.headers, {"reason": reason})
    records, cursor = [], None
    for _ in range(100):
        path = "/admin/audit?limit=2" + ("&cursor=" + cursor if cursor else "")
        status, body = call(client, "GET", path, operator.headers)
        assert status == 200 and len(body["records"]) <= 2, body
        records.extend(body["records"])
        cursor = body["next_cursor"]
        if cursor is None or "first reason" in [r["reason"] for r in records if r["account_id"] == customer.id]:
            break
    ours = [r["reason"] for r in records if r["account_id"] == customer.id]
    assert ours == ["third reason", "second reason", "first reason"]
    times = [r["at"] for r in records]
    assert times == sorted(times, reverse=True)
    status, body = call(client, "GET", "/admin/audit?cursor=bm90LWEta2V5", operator.headers)
    assert (status, body["error"]["code"]) == (400, "invalid_cursor")


def latest_audit(client, operator, account_id):
    records = call(client, "GET", "/admin/audit?limit=100", operator.headers)[1]["records"]
    return next(record for record in records if record["account_id"] == account_id)
