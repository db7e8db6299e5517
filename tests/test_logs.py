"""chalicelib.platform.logs: the request line, the correlation id, and the redaction
that backs up tests/test_log_safety.py."""
import logging

import pytest

from chalicelib.platform import logs
from conftest import call
from log_capture import capture


@pytest.mark.parametrize("secret", [
    "ak_" + "0123456789abcdef" * 3 + "_mfrggzdfmztwq2lk",
    # Made up, and joined at run time so no scanner mistakes them for real keys.
    "sk_" + "live_51AbCdEfGhIjKlMn", "rk_test_0123456789", "whsec_" + "abcdef0123456789",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
    "Bearer abc.def.ghi-0123", "jane.doe+tag@example.co.uk",
    "4242424242424242", "4000 0566 5566 5556", "5555-5555-5555-4444",
])
def test_redact_hides_each_shape(secret):
    assert logs.redact("before %s after" % secret) == "before [redacted] after"


@pytest.mark.parametrize("harmless", [
    "1700000000000", "1234567890123456", "cus_Q1w2E3r4T5y6", "evt_1PqRsTuVwXyZ", "in_1Nx", "7f3c2a1e-1b2c-4d5e-8f90-a1b2c3d4e5f6",
    "latency 12.5 ms", "2026-11-30T10:00:00Z",
])
def test_redact_leaves_ids_numbers_and_times_alone(harmless):
    assert logs.redact(harmless) == harmless


class FakeRequest:
    path = "/test"
    method = "POST"
    context = {"requestId": "abc-123", "resourcePath": "/test"}


class FakeResponse:
    status_code = 201


def test_the_request_line_and_every_line_meanwhile_carry_api_gateways_request_id(capsys):
    def respond(request):
        logging.getLogger(logs.LOGGER).warning("inside")
        logs.note(account_id="u-1", credits_cost=1, nothing=None)
        return FakeResponse()

    with capture(capsys) as captured:
        logs.logged_request(FakeRequest(), None, respond)
        logging.getLogger(logs.LOGGER).warning("after")
    inside, request, after = captured.log_lines()
    assert inside["correlation_id"] == request["correlation_id"] == "abc-123"
    assert "correlation_id" not in after
    assert {key: request[key] for key in ("route", "method", "status", "account_id", "credits_cost")} == {
        "route": "/test", "method": "POST", "status": 201, "account_id": "u-1", "credits_cost": 1}
    assert "nothing" not in request and request["latency_ms"] >= 0


def test_a_metered_call_logs_its_account_and_credits(client, user, api_key, capsys):
    with capture(capsys) as captured:
        call(client, "POST", "/test", {"x-api-key": api_key})
        call(client, "POST", "/test", {"x-api-key": "ak_nonsense"})
    paid, refused = captured.log_lines("request")
    assert (paid["route"], paid["status"], paid["account_id"]) == ("/test", 200, user.id)
    assert (paid["credits_cost"], paid["credits_remaining"]) == (1, 49)
    assert paid["correlation_id"] != refused["correlation_id"]
    assert (refused["status"], refused["error_code"]) == (401, "invalid_api_key")
    assert "account_id" not in refused


def test_stripe_sdk_request_lines_stay_out_unless_asked_for():
    logs.get()
    assert not logging.getLogger("stripe").isEnabledFor(logging.INFO)


def test_chalice_leaves_the_app_logger_to_these_lines(app):
    """Chalice would put a text handler at level ERROR on the logger named
    after the app, which is this one: every INFO line would vanish in Lambda."""
    logs.get()
    assert app.log is logging.getLogger(logs.LOGGER)
    assert app.log.isEnabledFor(logging.INFO)
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
    assert app.log.handlers
    assert all(isinstance(handler.formatter, LambdaPowertoolsFormatter) for handler in app.log.handlers)
