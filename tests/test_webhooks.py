"""POST /stripe/webhook: each event's effect, exactly once, whatever the
delivery order; bad signatures change nothing."""
import concurrent.futures
import json
import time

import pytest
import stripe

from chalicelib import billing
from conftest import call
from stripe_shapes import mismatches
from webhook_support import Flow, deliver, deliver_all, signature, stripe_event


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every test here delivers events signed with WEBHOOK_SECRET."""


def test_pack_purchase_adds_purchased_credits_once(client, flow):
    session = flow.checkout("Basic", subscribe=False)
    events = flow.events()
    assert [e["type"] for e in events] == ["payment_intent.succeeded", "invoice.finalized", "invoice.paid",
                                           "checkout.session.completed"]  # the pack's invoice grants nothing
    deliver_all(client, events)
    deliver_all(client, events)
    state = flow.state()
    assert (state["plan"], state["plan_credits"], state["purchased_credits"]) == ("Free", 50, 1000)
    assert ("checkout:" + session["id"], "purchase", 1000) in state["ledger"]
    assert len(state["ledger"]) == 2


def test_a_pack_paid_later_is_granted_when_the_payment_succeeds(client, flow):
    session = flow.checkout("Basic", subscribe=False)
    completed = [e for e in flow.events() if e["type"] == "checkout.session.completed"][0]
    unpaid = json.loads(json.dumps(completed))
    unpaid["data"]["object"]["payment_status"] = "unpaid"
    assert deliver(client, unpaid) == (200, {"received": True})
    assert flow.state()["purchased_credits"] == 0
    succeeded = dict(completed, id="evt_async_" + session["id"], type="checkout.session.async_payment_succeeded")
    deliver_all(client, [succeeded, succeeded, completed])
    assert flow.state()["purchased_credits"] == 1000


def test_subscription_sets_the_plan_and_the_invoice_grants_the_allowance(client, flow):
    flow.checkout("Basic", subscribe=True)
    deliver_all(client, flow.events())
    state = flow.state()
    assert state["plan"] == "Basic"
    assert state["subscription"] == (flow.subscriptions[0], "Basic", "active")
    assert (state["plan_credits"], state["purchased_credits"]) == (1000, 0)
    assert [kind for _, kind, _ in state["ledger"]] == ["plan", "signup"]
    _, body = call(client, "GET", "/user", flow.user.headers)
    assert body["user"]["subscription"]["status"] == "active"
    assert body["user"]["credits"] == 1000


def test_renewal_resets_plan_credits_and_keeps_purchased(client, flow, api_key):
    flow.checkout("Basic", subscribe=False)
    flow.checkout("Basic", subscribe=True)
    deliver_all(client, flow.events())
    for _ in range(30):
        call(client, "POST", "/test/heavy", {"x-api-key": api_key})
    assert (flow.state()["plan_credits"], flow.state()["purchased_credits"]) == (850, 1000)
    seen = len(flow.events())
    flow.renew()
    deliver_all(client, flow.events(after=seen))
    assert (flow.state()["plan_credits"], flow.state()["purchased_credits"]) == (1000, 1000)


def test_a_new_subscription_cancels_the_older_one(client, flow, stripe_sandbox):
    flow.checkout("Basic", subscribe=True)
    deliver_all(client, flow.events())
    seen = len(flow.events())
    flow.checkout_elsewhere("Power")
    deliver_all(client, flow.events(after=seen))
    basic, power = flow.subscriptions
    assert stripe_sandbox.get(basic)["status"] == "canceled"
    assert stripe_sandbox.get(power)["status"] == "active"
    state = flow.state()
    assert state["plan"] == "Power"
    assert state["subscription"] == (power, "Power", "active")
    assert state["plan_credits"] == 100000


def test_failed_payment_shows_past_due_and_grants_nothing(client, flow):
    flow.checkout("Basic", subscribe=True)
    deliver_all(client, flow.events())
    seen = len(flow.events())
    flow.fail_payment()
    events = flow.events(after=seen)
    assert "invoice.payment_failed" in [e["type"] for e in events]
    deliver_all(client, events)
    _, body = call(client, "GET", "/user", flow.user.headers)
    assert body["user"]["subscription"]["status"] == "past_due"
    assert body["user"]["plan"] == "Basic"
    assert len(flow.state()["ledger"]) == 2


def test_plan_switch_in_the_portal_shows_up(client, flow, stripe_sandbox):
    flow.checkout("Basic", subscribe=True)
    deliver_all(client, flow.events())
    seen = len(flow.events())
    stripe = billing.stripe()
    subscription = stripe.v1.subscriptions.retrieve(flow.subscriptions[0])
    power = stripe.v1.prices.list(params={"lookup_keys": ["power_monthly"]}).data[0]
    stripe.v1.subscriptions.update(flow.subscriptions[0], params={
        "items": [{"id": subscription["items"].data[0].id, "price": power.id}]})
    deliver_all(client, flow.events(after=seen))
    assert flow.state()["subscription"] == (flow.subscriptions[0], "Power", "active")
    assert flow.state()["plan"] == "Power"


def test_deleted_subscription_goes_back_to_free(client, flow):
    flow.checkout("Basic", subscribe=False)
    flow.checkout("Basic", subscribe=True)
    deliver_all(client, flow.events())
    seen = len(flow.events())
    flow.cancel()
    events = flow.events(after=seen)
    assert [e["type"] for e in events] == ["customer.subscription.deleted"]
    deliver_all(client, events)
    deliver_all(client, events)
    state = flow.state()
    assert (state["plan"], state["subscription"]) == ("Free", None)
    assert (state["plan_credits"], state["purchased_credits"]) == (50, 1000)
    assert [kind for _, kind, _ in state["ledger"]].count("free") == 1


def test_out_of_order_delivery_converges_to_the_in_order_state(client, new_user, stripe_sandbox):
    def scenario():
        flow = Flow(client, stripe_sandbox, new_user())
        flow.checkout("Basic", subscribe=False)
        flow.checkout("Basic", subscribe=True)
        flow.renew()
        flow.renew()
        return flow

    in_order, reversed_order = scenario(), scenario()
    deliver_all(client, in_order.events())
    deliver_all(client, list(reversed(reversed_order.events())))
    expected, actual = in_order.state(), reversed_order.state()
    assert (actual["plan"], actual["plan_credits"], actual["purchased_credits"]) == (
        expected["plan"], expected["plan_credits"], expected["purchased_credits"]) == ("Basic", 1000, 1000)
    assert [entry[1:] for entry in actual["ledger"]] == [entry[1:] for entry in expected["ledger"]]


def test_one_event_delivered_five_times_concurrently_grants_once(client, flow):
    flow.checkout("Basic", subscribe=False)
    completed = [e for e in flow.events() if e["type"] == "checkout.session.completed"][0]
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        results = list(pool.map(lambda _: deliver(client, completed), range(5)))
    assert [status for status, _ in results] == [200] * 5
    assert flow.state()["purchased_credits"] == 1000


def test_invoice_delivered_five_times_concurrently_grants_once(client, flow, api_key):
    flow.checkout("Basic", subscribe=True)
    events = flow.events()
    deliver_all(client, [e for e in events if e["type"] != "invoice.paid"])
    paid = [e for e in events if e["type"] == "invoice.paid"][0]
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        results = list(pool.map(lambda _: deliver(client, paid), range(5)))
    assert [status for status, _ in results] == [200] * 5
    state = flow.state()
    assert state["plan_credits"] == 1000
    assert [kind for _, kind, _ in state["ledger"]] == ["plan", "signup"]


def test_unhandled_event_types_are_acknowledged(client):
    customer = {"id": "cus_x", "object": "customer", "created": int(time.time()), "livemode": False}
    event = stripe_event("customer.created", customer)
    assert mismatches(event, stripe.Event) == [] and mismatches(customer, stripe.Customer) == []
    assert deliver(client, event) == (200, {"received": True, "ignored": "customer.created"})


@pytest.mark.parametrize("case", ["forged", "stale", "unsigned", "garbage header", "malformed json",
                                  "not an event", "tampered body", "signed but nested 10,000 deep"])
def test_bad_deliveries_are_400_and_change_nothing(client, flow, case):
    flow.checkout("Basic", subscribe=False)
    completed = [e for e in flow.events() if e["type"] == "checkout.session.completed"][0]
    payload = json.dumps(completed)
    before = flow.state()
    if case == "forged":
        result = deliver(client, payload, secret="whsec_someone_else")
    elif case == "stale":
        result = deliver(client, payload, timestamp=int(time.time()) - 3600)
    elif case == "unsigned":
        result = deliver(client, payload, header="")
    elif case == "garbage header":
        result = deliver(client, payload, header="t=abc,v1=zzz")
    elif case == "malformed json":
        bad = payload[:-5]
        result = deliver(client, bad, header=signature(bad))
    elif case == "not an event":
        result = deliver(client, json.dumps({"hello": "world"}))
    elif case.startswith("signed but nested"):
        deep = "[" * 10000 + "]" * 10000
        result = deliver(client, deep, header=signature(deep))
    else:
        result = deliver(client, payload.replace('"paid"', '"PAID"'), header=signature(payload))
    status, body = result
    assert status == 400, (case, body)
    assert body["error"]["code"] in ("invalid_signature", "missing_signature", "invalid_payload")
    assert flow.state() == before
