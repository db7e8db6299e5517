"""The HTTP contract of the foundation routes (NOTES §2)."""
import datetime
import json

import pytest

from chalicelib.platform.models import Account, Product
from conftest import call


def test_metered_call_spends_its_cost_and_returns_the_remaining_total(client, api_key):
    assert call(client, "POST", "/test", {"x-api-key": api_key}) == (200, {"credits": 49})
    assert call(client, "POST", "/test/heavy", {"x-api-key": api_key}) == (200, {"credits": 44})


def test_402_when_credits_do_not_cover_the_cost_and_nothing_is_spent(client, user, api_key):
    for _ in range(9):
        call(client, "POST", "/test/heavy", {"x-api-key": api_key})
    assert call(client, "POST", "/test", {"x-api-key": api_key})[1] == {"credits": 4}
    status, body = call(client, "POST", "/test/heavy", {"x-api-key": api_key})
    assert status == 402
    assert body["error"]["code"] == "insufficient_credits"
    _, view = call(client, "GET", "/user", user.headers)
    assert view["user"]["credits"] == 4


@pytest.mark.parametrize("headers", [{}, {"x-api-key": ""}, {"x-api-key": "nonsense"},
                                     {"x-api-key": "ak_" + "0" * 48 + "_gezdgnbv"}])
def test_missing_or_unknown_keys_are_401(client, headers):
    status, body = call(client, "POST", "/test", headers)
    assert status == 401
    assert body["error"]["code"] == "invalid_api_key"


def test_malformed_json_is_a_400_and_spends_nothing(client, user, api_key):
    for body in ["{not json", "[1, 2]", "\"text\""]:
        status, error = call(client, "POST", "/test", {"x-api-key": api_key}, body=body)
        assert status == 400
        assert error["error"]["code"] == "invalid_json"
    assert Account.get(user.id, consistent_read=True).credits == 50


def test_usage_lists_every_day_oldest_first(client, user, api_key):
    call(client, "POST", "/test", {"x-api-key": api_key})
    call(client, "POST", "/test/heavy", {"x-api-key": api_key})
    status, body = call(client, "GET", "/usage?days=3", user.headers)
    assert status == 200
    today = datetime.date.today()
    assert body["usage"] == [
        {"date": (today - datetime.timedelta(days=2)).isoformat(), "credits": 0},
        {"date": (today - datetime.timedelta(days=1)).isoformat(), "credits": 0},
        {"date": today.isoformat(), "credits": 6},
    ]
    assert len(call(client, "GET", "/usage", user.headers)[1]["usage"]) == 30


@pytest.mark.parametrize("days", ["0", "-1", "91", "abc", "1.5"])
def test_bad_usage_window_is_a_400(client, user, days):
    status, body = call(client, "GET", "/usage?days=" + days, user.headers)
    assert status == 400
    assert body["error"]["code"] == "invalid_days"


def test_ledger_is_newest_first_and_only_the_users_own(client, new_user):
    from chalicelib.credits.balances import Credits

    alice, bob = new_user(), new_user()
    call(client, "GET", "/user", alice.headers)
    call(client, "GET", "/user", bob.headers)
    Credits().add_purchased(alice.id, 1000, "checkout:cs_ledger", "purchase", "Basic pack", reference="cs_ledger")
    status, body = call(client, "GET", "/ledger", alice.headers)
    assert status == 200
    assert [(e["kind"], e["credits"], e["description"], e["reference"]) for e in body["entries"]] == [
        ("purchase", 1000, "Basic pack", "cs_ledger"), ("signup", 50, "Sign-up bonus", "signup:" + alice.id)]
    assert set(body["entries"][0]) == {"at", "kind", "credits", "description", "reference"}
    assert body["next_cursor"] is None
    _, bobs = call(client, "GET", "/ledger", bob.headers)
    assert [(e["kind"], e["credits"]) for e in bobs["entries"]] == [("signup", 50)]


def test_plans_come_from_the_product_table(client, aws_stack):
    Product("Zeta-test", credits=7, interval="week", position=99,
            prices={"monthly": {"amount": 100, "currency": "gbp", "lookup_key": "zeta_monthly"}}).save()
    try:
        status, body = call(client, "GET", "/plans")
        assert status == 200
        plan = next(p for p in body["plans"] if p["name"] == "Zeta-test")
        assert plan == {"name": "Zeta-test", "credits": 7, "interval": "week",
                        "prices": {"monthly": {"amount": 100, "currency": "gbp", "lookup_key": "zeta_monthly",
                                               "tax_behavior": None}}}
    finally:
        Product("Zeta-test").delete()


def test_cors_allows_only_the_configured_origin(client, user):
    response = client.http.get("/user", headers=user.headers)
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    error = client.http.get("/user")
    assert error.status_code == 401
    assert error.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer x"}])
def test_unknown_route_is_a_404_in_our_shape(client, headers):
    response = client.http.get("/no-such-route", headers=headers)
    assert response.status_code == 404
    assert json.loads(response.body) == {"error": {"code": "not_found", "message": "There is no such route."}}
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


def test_wrong_method_is_a_405_in_our_shape_with_allow(client):
    response = client.http.get("/test")
    assert response.status_code == 405
    assert json.loads(response.body)["error"]["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "POST"
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
