"""Hostile input never reaches a 5xx, and every error has our shape
(chalicelib/web/http.py, the middleware in app.py, scripts/devstack/local_gateway.py)."""
import json
import logging
import urllib.parse

import pytest
import requests

from chalicelib.web import http
from chalicelib.platform.models import Account
from conftest import call


def error_of(response):
    body = json.loads(response.body)
    assert set(body) == {"error"}
    return body["error"]


def nested(depth):
    return "[" * depth + "]" * depth


def test_a_json_body_nested_10000_deep_is_a_400_without_a_traceback(client, user, caplog):
    caplog.set_level(logging.ERROR)
    body = '{"a": ' + nested(10000) + "}"
    for headers, path in [({}, "/test"), (user.headers, "/checkout")]:
        status, error = call(client, "POST", path, headers, body=body)
        assert (status, error["error"]["code"]) == (400, "invalid_json")
    assert "Traceback" not in caplog.text and not caplog.records


def test_nesting_is_limited_to_32_levels(client, api_key):
    def body(depth):
        return '{"a": ' + nested(depth - 1) + "}"
    assert call(client, "POST", "/test", {"x-api-key": api_key}, body=body(http.MAX_JSON_DEPTH))[0] == 200
    status, error = call(client, "POST", "/test", {"x-api-key": api_key}, body=body(http.MAX_JSON_DEPTH + 1))
    assert (status, error["error"]["code"]) == (400, "invalid_json")
    assert "32 levels" in error["error"]["message"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused(client, user, api_key, constant):
    status, error = call(client, "POST", "/test", {"x-api-key": api_key}, body='{"n": %s}' % constant)
    assert (status, error["error"]["code"]) == (400, "invalid_json")
    assert Account.get(user.id, consistent_read=True).credits == 50


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
@pytest.mark.parametrize("method, path", [("POST", "/test"), ("POST", "/checkout"), ("GET", "/plans")])
def test_other_content_types_get_a_415_in_our_shape(client, content_type, method, path):
    response = client.http.request(method, path, headers={"Content-Type": content_type}, body=b"plan=Basic")
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


def test_a_long_content_type_is_not_echoed(client):
    response = client.http.post("/test", headers={"Content-Type": "text/" + "x" * 5000})
    assert response.status_code == 415 and len(response.body) < 200


def test_bodies_over_64_kib_are_a_413_before_any_route_runs(client, user, api_key):
    big = json.dumps({"pad": "x" * http.MAX_BODY_BYTES})
    for headers, path in [({"x-api-key": api_key}, "/test"), (user.headers, "/checkout"), ({}, "/plans")]:
        response = client.http.request("POST" if path != "/plans" else "GET", path,
                                       headers=dict(headers, **{"Content-Type": "application/json"}), body=big)
        assert response.status_code == 413
        assert error_of(response)["code"] == "payload_too_large"
    assert Account.get(user.id, consistent_read=True).credits == 50


def test_the_webhook_takes_stripe_sized_events(client):
    body = json.dumps({"pad": "x" * 200_000})
    response = client.http.post("/stripe/webhook", headers={"Content-Type": "application/json"}, body=body)
    assert response.status_code in (400, 503)  # unsigned: refused, but not for its size


def test_a_huge_plan_name_is_quoted_as_a_short_excerpt(client, user, stripe_products):
    plan = "P" * 60_000
    status, error = call(client, "POST", "/checkout", user.headers, body={"plan": plan, "subscribe": False})
    assert (status, error["error"]["code"]) == (400, "invalid_plan")
    assert len(error["error"]["message"]) < 120
    assert "PPPP" in error["error"]["message"]
    status, error = call(client, "POST", "/checkout", user.headers, body={"plan": "Q" * 1_048_576})
    assert (status, error["error"]["code"]) == (413, "payload_too_large")


def test_an_unknown_plan_is_named_in_the_message(client, user, stripe_products):
    status, error = call(client, "POST", "/checkout", user.headers, body={"plan": "Gold", "subscribe": False})
    assert status == 400 and "'Gold'" in error["error"]["message"]


@pytest.mark.parametrize("days", [" 5", "5 ", "+5", "-5", "1_0", "\u0665", "\uff15", "05.0", "1e1", "", "9" * 50])
def test_days_takes_ascii_digits_only(client, user, days):
    status, error = call(client, "GET", "/usage?days=" + urllib.parse.quote(days), user.headers)
    assert (status, error["error"]["code"]) == (400, "invalid_days")


def test_days_with_plain_digits_works(client, user):
    status, body = call(client, "GET", "/usage?days=05", user.headers)
    assert status == 200 and len(body["usage"]) == 5


@pytest.mark.parametrize("value", ["", " ", "x" * 101, "key with spaces", "k\u00e9y"])
def test_bad_idempotency_keys_are_a_400_and_charge_nothing(client, user, api_key, value):
    status, error = call(client, "POST", "/test", {"x-api-key": api_key, "Idempotency-Key": value})
    assert (status, error["error"]["code"]) == (400, "invalid_idempotency_key")
    assert len(error["error"]["message"]) < 160
    assert Account.get(user.id, consistent_read=True).credits == 50


def test_over_http_unknown_routes_and_methods_answer_in_our_shape(api_url):
    response = requests.get(api_url + "/nowhere", headers={"Authorization": "x"}, timeout=10)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = requests.put(api_url + "/user", timeout=10)
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    assert sorted(response.headers["Allow"].split(", ")) == ["DELETE", "GET"]
    response = requests.post(api_url + "/test", data={"a": "b"}, timeout=10)  # what `curl -d` sends
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"


def test_excerpt_cuts_and_marks_the_cut():
    from chalicelib.platform.errors import excerpt
    assert excerpt("Gold") == "'Gold'"
    cut = excerpt("x" * 1000)
    assert len(cut) == 40 and cut.endswith("…")
