"""Business metrics: EMF lines in one namespace, few dimensions, and the
counts the app emits for a metered call, a 402, a purchase and a failing
webhook."""
import json

import pytest

from chalicelib.platform import clock, metrics
from conftest import call
from log_capture import capture
from webhook_support import Flow, deliver

NONE = ()


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Deliveries here are signed with WEBHOOK_SECRET."""


def test_counts_leave_as_one_emf_line_per_dimension_set(capsys):
    metrics.begin()
    metrics.count("MeteredCalls")
    metrics.count("MeteredCalls")
    metrics.count("CreditsSpent", 5)
    metrics.count("CreditsGranted", 100, kind="pack")
    metrics.flush()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    plain, by_kind = lines
    directive = plain["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == metrics.NAMESPACE == "CreditsSaaS"
    assert directive["Dimensions"] == [[]]
    assert (plain["MeteredCalls"], plain["CreditsSpent"]) == ([2.0], [5.0])
    assert by_kind["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["kind"]]
    assert (by_kind["kind"], by_kind["CreditsGranted"]) == ("pack", [100.0])
    metrics.flush()
    assert capsys.readouterr().out == ""  # nothing left, nothing written


def test_an_account_id_or_an_unknown_metric_is_refused():
    with pytest.raises(ValueError, match="account_id cannot be a dimension"):
        metrics.count("MeteredCalls", account_id="u-1")
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.count("MeterdCalls")


def test_a_new_request_forgets_counts_made_outside_any(capsys):
    metrics.count("SignUps")
    metrics.begin()
    metrics.flush()
    assert capsys.readouterr().out == ""


def test_a_metered_call_and_a_402(client, api_key, capsys):
    with capture(capsys) as captured:
        assert call(client, "POST", "/test", {"x-api-key": api_key})[0] == 200
    assert captured.metrics() == {("MeteredCalls", NONE): 1, ("CreditsSpent", NONE): 1}

    while call(client, "POST", "/test/heavy", {"x-api-key": api_key})[0] == 200:
        pass
    with capture(capsys) as captured:
        assert call(client, "POST", "/test/heavy", {"x-api-key": api_key})[0] == 402
    assert captured.metrics() == {("InsufficientCredits", NONE): 1}


def test_a_call_over_its_keys_rate_limit_counts_as_rate_limited(client, user, capsys, monkeypatch):
    stopped = clock.now()
    monkeypatch.setattr(clock, "now", lambda: stopped)  # both calls in one window
    status, key = call(client, "POST", "/keys", user.headers,
                       {"name": "batch", "rate_limit": {"requests": 1, "per": "minute"}})
    assert status == 201, key
    assert call(client, "POST", "/test", {"x-api-key": key["key"]})[0] == 200
    with capture(capsys) as captured:
        assert call(client, "POST", "/test", {"x-api-key": key["key"]})[0] == 429
    assert captured.metrics() == {("RateLimited", NONE): 1}


def test_sign_up_counts_once_with_its_grant(client, user, capsys):
    with capture(capsys) as captured:
        call(client, "GET", "/user", user.headers)
        call(client, "GET", "/user", user.headers)
    found = captured.metrics()
    assert found[("SignUps", NONE)] == 1
    assert found[("CreditsGranted", (("kind", "signup"),))] == 50


def test_a_purchase_counts_its_checkout_grant_and_event_once(client, stripe_sandbox, user, capsys):
    flow = Flow(client, stripe_sandbox, user)
    with capture(capsys) as captured:
        flow.checkout("Basic", subscribe=False)
        events = flow.events()
        for event in events + events:
            assert deliver(client, event)[0] == 200
    found = captured.metrics()
    assert found[("CheckoutsStarted", (("kind", "payment"),))] == 1
    assert found[("CreditsGranted", (("kind", "pack"),))] == 1000
    assert found[("Purchases", (("kind", "pack"),))] == 1
    assert found[("WebhookEvents", (("outcome", "applied"), ("type", "checkout.session.completed")))] == 2
    # payment_intent.succeeded is handled now (automatic top-up); a Checkout's intent changes nothing.
    assert found[("WebhookEvents", (("outcome", "applied"), ("type", "payment_intent.succeeded")))] == 2
    assert ("WebhookFailures", NONE) not in found


def test_a_refund_and_a_dispute_count_once_with_the_credits_they_move(client, stripe_sandbox, user, capsys):
    flow = Flow(client, stripe_sandbox, user)
    session = flow.checkout("Power", subscribe=False)
    for event in flow.events():
        assert deliver(client, event)[0] == 200
    seen = len(flow.events())
    charge = flow.charge_of(session)
    with capture(capsys) as captured:
        for act in (lambda: flow.refund(charge, amount=2500),
                    lambda: stripe_sandbox.fail_refund(stripe_sandbox.events("refund.created")[-1]["data"]["object"]["id"]),
                    lambda: stripe_sandbox.dispute_charge(charge),
                    lambda: stripe_sandbox.win_dispute(stripe_sandbox.events("charge.dispute.created")[-1]["data"]["object"]["id"])):
            act()
            events = flow.events(after=seen)
            seen += len(events)
            for event in events + events:
                assert deliver(client, event)[0] == 200
    found = captured.metrics()
    assert found[("Refunds", NONE)] == 1 and found[("Disputes", NONE)] == 1
    assert found[("CreditsGranted", (("kind", "refund"),))] == 50000
    assert found[("CreditsGranted", (("kind", "refund_reversed"),))] == 50000
    assert found[("CreditsGranted", (("kind", "dispute"),))] == 100000
    assert found[("CreditsGranted", (("kind", "dispute_reinstated"),))] == 100000


def test_failing_webhooks_count_as_failures(client, stripe_sandbox, user, capsys, monkeypatch):
    from chalicelib import credits
    from pynamodb.exceptions import PutError

    flow = Flow(client, stripe_sandbox, user)
    flow.checkout("Basic", subscribe=False)
    completed = flow.events()[-1]

    def unavailable(*args, **kwargs):
        raise PutError("DynamoDB is unavailable")
    monkeypatch.setattr(credits.wallet(), "add_purchased", unavailable)
    with capture(capsys) as captured:
        assert deliver(client, completed)[0] == 503
        assert deliver(client, completed, secret="whsec_not_the_secret_0")[0] == 400
    found = captured.metrics()
    assert found[("WebhookFailures", NONE)] == 2
    assert found[("WebhookEvents", (("outcome", "failed"), ("type", "checkout.session.completed")))] == 1
    assert found[("WebhookEvents", (("outcome", "rejected"), ("type", "unverified")))] == 1
    line = [line for line in captured.log_lines("request") if line["status"] == 503][0]
    assert (line["stripe_event_id"], line["webhook_outcome"]) == (completed["id"], "failed")
