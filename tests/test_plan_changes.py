"""Upgrades at once (one prorated invoice, the new allowance once it is paid),
downgrades at the period's end (shown, undoable), renewals that need the
customer, and delayed payments that fail (chalicelib/billing/plan_changes.py)."""
import json

import pytest

from chalicelib.platform.models import LedgerEntry
from conftest import call
from webhook_support import deliver_all


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every test here delivers events signed with WEBHOOK_SECRET."""


def plan_entries(user_id):
    return sorted((e.kind, int(e.credits)) for e in LedgerEntry.by_time.query(user_id, consistent_read=True)
                  if e.kind == "plan")


def subscribed(client, flow, plan):
    flow.checkout(plan, subscribe=True)
    deliver_all(client, flow.events())


def test_an_upgrade_charges_the_difference_now_and_grants_the_new_allowance_once(client, flow, api_key):
    subscribed(client, flow, "Basic")
    for _ in range(2):
        call(client, "POST", "/test/heavy", {"x-api-key": api_key})
    seen = len(flow.events())
    status, body = call(client, "POST", "/change-plan", flow.user.headers, {"plan": "Power"})
    assert status == 200 and body["user"]["plan"] == "Power"
    events = flow.events(after=seen)
    paid = [e["data"]["object"] for e in events if e["type"] == "invoice.paid"]
    assert len(paid) == 1 and paid[0]["billing_reason"] == "subscription_update"
    assert paid[0]["amount_paid"] == 4500  # £50 less the unused £5 of Basic
    deliver_all(client, events + events)
    state = flow.state()
    assert (state["plan"], state["plan_credits"]) == ("Power", 100000)
    assert plan_entries(flow.user.id) == [("plan", 1000), ("plan", 100000)]
    seen = len(flow.events())
    flow.renew()
    deliver_all(client, flow.events(after=seen) + events)
    assert plan_entries(flow.user.id) == [("plan", 1000), ("plan", 100000), ("plan", 100000)]
    assert flow.state()["plan_credits"] == 100000


def test_a_downgrade_waits_for_the_period_end_and_can_be_undone(client, flow, stripe_sandbox):
    subscribed(client, flow, "Power")
    seen = len(flow.events())
    status, body = call(client, "POST", "/change-plan", flow.user.headers, {"plan": "Basic"})
    assert status == 200
    subscription = body["user"]["subscription"]
    assert body["user"]["plan"] == "Power" and body["user"]["plan_credits"] == 100000
    assert subscription["scheduled_change"] == {"plan": "Basic", "at": subscription["current_period_end"]}
    assert [e["type"] for e in flow.events(after=seen) if e["type"].startswith("invoice")] == []

    status, body = call(client, "POST", "/cancel-plan-change", flow.user.headers)
    assert status == 200 and body["user"]["subscription"]["scheduled_change"] is None

    call(client, "POST", "/change-plan", flow.user.headers, {"plan": "Basic"})
    seen = len(flow.events())
    flow.renew()
    deliver_all(client, flow.events(after=seen))
    state = flow.state()
    assert (state["plan"], state["plan_credits"]) == ("Basic", 1000)
    _, body = call(client, "GET", "/user", flow.user.headers)
    assert body["user"]["subscription"]["scheduled_change"] is None


def test_the_billing_portal_upgrades_now_and_downgrades_at_the_period_end(client, flow, stripe_sandbox):
    import requests

    subscribed(client, flow, "Basic")
    _, portal = call(client, "POST", "/billing-portal", flow.user.headers)
    prices = {p["lookup_key"]: p["id"] for p in stripe_sandbox.state.db["prices"].values() if p["lookup_key"]}
    seen = len(flow.events())
    requests.post(portal["url"], data={"action": "switch", "subscription": flow.subscriptions[0],
                                       "price": prices["power_monthly"]}, timeout=10, allow_redirects=False)
    deliver_all(client, flow.events(after=seen))
    state = flow.state()
    assert (state["plan"], state["plan_credits"]) == ("Power", 100000)
    seen = len(flow.events())
    requests.post(portal["url"], data={"action": "switch", "subscription": flow.subscriptions[0],
                                       "price": prices["basic_monthly"]}, timeout=10, allow_redirects=False)
    deliver_all(client, flow.events(after=seen))
    _, body = call(client, "GET", "/user", flow.user.headers)
    assert body["user"]["plan"] == "Power" and body["user"]["subscription"]["scheduled_change"]["plan"] == "Basic"
    assert plan_entries(flow.user.id) == [("plan", 1000), ("plan", 100000)]


def test_switching_needs_a_subscription_and_another_plan(client, flow):
    status, body = call(client, "POST", "/change-plan", flow.user.headers, {"plan": "Power"})
    assert (status, body["error"]["code"]) == (409, "no_subscription")
    subscribed(client, flow, "Basic")
    status, body = call(client, "POST", "/change-plan", flow.user.headers, {"plan": "Basic"})
    assert (status, body["error"]["code"]) == (409, "already_subscribed")
    status, body = call(client, "POST", "/change-plan", flow.user.headers, {"plan": "Gold"})
    assert (status, body["error"]["code"]) == (400, "invalid_plan")
    status, body = call(client, "POST", "/checkout", flow.user.headers, {"plan": "Power", "subscribe": True})
    assert (status, body["error"]["code"]) == (409, "switch_plan")


def test_a_renewal_that_needs_the_customer_shows_its_page_and_grants_once_paid(client, flow, stripe_sandbox):
    subscribed(client, flow, "Basic")
    seen = len(flow.events())
    needing = stripe_sandbox.require_action(flow.subscriptions[0])
    events = flow.events(after=seen)
    assert "invoice.payment_action_required" in [e["type"] for e in events]
    deliver_all(client, events)
    _, body = call(client, "GET", "/user", flow.user.headers)
    subscription = body["user"]["subscription"]
    assert subscription["status"] == "past_due"
    assert subscription["action_url"] == needing["latest_invoice"]["hosted_invoice_url"]
    seen = len(flow.events())
    stripe_sandbox.pay_invoice(needing["latest_invoice"]["id"])
    paid = flow.events(after=seen)
    deliver_all(client, paid + paid + events)
    _, body = call(client, "GET", "/user", flow.user.headers)
    assert body["user"]["subscription"]["status"] == "active"
    assert body["user"]["subscription"]["action_url"] is None
    assert plan_entries(flow.user.id) == [("plan", 1000), ("plan", 1000)]


def test_a_delayed_payment_that_fails_grants_nothing_and_says_so(client, flow):
    session = flow.checkout("Basic", subscribe=False)
    completed = [e for e in flow.events() if e["type"] == "checkout.session.completed"][0]
    failed = json.loads(json.dumps(completed))
    failed.update(id="evt_failed_" + session["id"], type="checkout.session.async_payment_failed")
    failed["data"]["object"]["payment_status"] = "unpaid"
    deliver_all(client, [failed, failed])
    assert flow.state()["purchased_credits"] == 0
    _, body = call(client, "GET", "/ledger", flow.user.headers)
    entry = body["entries"][0]
    assert (entry["kind"], entry["credits"], entry["reference"]) == ("payment_failed", 0, session["id"])
    assert "payment failed" in entry["description"]
