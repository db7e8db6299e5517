"""The sandbox speaks the API version the SDK pins: every object it returns or
puts in an event has exactly the fields of its stripe-python class (checked
recursively through nested, expanded and listed objects)."""
import pytest
import requests
import stripe

from scripts.devstack.stripe import API_VERSION, StripeSandbox
from stripe_shapes import mismatches, required_fields

API_KEY = "sk_test_conformance"

CLASSES = {
    "customer": stripe.Customer,
    "product": stripe.Product,
    "price": stripe.Price,
    "checkout.session": stripe.checkout.Session,
    "item": stripe.LineItem,
    "payment_intent": stripe.PaymentIntent,
    "subscription": stripe.Subscription,
    "subscription_item": stripe.SubscriptionItem,
    "invoice": stripe.Invoice,
    "line_item": stripe.InvoiceLineItem,
    "billing_portal.session": stripe.billing_portal.Session,
    "event": stripe.Event,
    "webhook_endpoint": stripe.WebhookEndpoint,
    "plan": stripe.Plan,
    "charge": stripe.Charge,
    "refund": stripe.Refund,
    "dispute": stripe.Dispute,
    "invoice_payment": stripe.InvoicePayment,
    "subscription_schedule": stripe.SubscriptionSchedule,
    "list": stripe.ListObject,
}


@pytest.fixture(scope="module")
def quiet_sandbox():
    """Its own sandbox (no webhooks), so the shapes are exactly this scenario's."""
    with StripeSandbox(port=0) as running:
        yield running


class Api:
    """Raw JSON from the sandbox's REST API (not the SDK's objects, which
    would accept any field), recording every object it sees."""

    def __init__(self, sandbox):
        self.url = sandbox.url
        self.seen = []

    def call(self, method, path, **params):
        response = requests.request(method, self.url + path, auth=(API_KEY, ""), timeout=10,
                                    **({"params": params} if method == "GET" else {"data": params}))
        assert response.status_code == 200, response.text
        self.seen.append(response.json())
        return response.json()


@pytest.fixture(scope="module")
def shapes(quiet_sandbox):
    """One object of every type the project uses, as the API and events show it."""
    sandbox = quiet_sandbox
    api = Api(sandbox)
    customer = api.call("POST", "/v1/customers", email="shape@example.com", **{"metadata[user_id]": "u1"})
    monthly = api.call("POST", "/v1/prices", currency="gbp", unit_amount=500, lookup_key="basic_monthly",
                       **{"product_data[name]": "Basic", "recurring[interval]": "month"})
    product = api.call("GET", "/v1/products/" + monthly["product"])
    pack = api.call("POST", "/v1/prices", currency="gbp", unit_amount=900, product=product["id"])
    api.call("POST", "/v1/products/" + product["id"], default_price=pack["id"])
    common = {"customer": customer["id"], "success_url": "http://app.test/ok", "cancel_url": "http://app.test/no",
              "line_items[0][quantity]": 1, "client_reference_id": "u1", "metadata[plan]": "Basic"}
    one_off = api.call("POST", "/v1/checkout/sessions", mode="payment",
                       **{"line_items[0][price]": pack["id"]}, **common)
    sandbox.complete_checkout(one_off["id"])
    intent = api.call("GET", "/v1/payment_intents/" + sandbox.get(one_off["id"])["payment_intent"],
                      **{"expand[0]": "latest_charge"})
    charge = intent["latest_charge"]["id"]
    refund = api.call("POST", "/v1/refunds", charge=charge, amount=300, reason="requested_by_customer")
    sandbox.fail_refund(refund["id"])
    api.call("GET", "/v1/refunds", charge=charge, **{"expand[0]": "data.charge"})
    dispute = sandbox.dispute_charge(charge)
    sandbox.win_dispute(dispute["id"])
    api.call("GET", "/v1/disputes/" + dispute["id"])
    api.call("GET", "/v1/charges", customer=customer["id"])
    subscribing = api.call("POST", "/v1/checkout/sessions", mode="subscription",
                           **{"line_items[0][price]": monthly["id"]}, **common)
    session = sandbox.complete_checkout(subscribing["id"])
    sandbox.renew_subscription(session["subscription"])
    needs_action = sandbox.require_action(session["subscription"])
    sandbox.pay_invoice(needs_action["latest_invoice"]["id"])
    api.call("GET", "/v1/invoice_payments", invoice=needs_action["latest_invoice"]["id"])
    other_price = api.call("POST", "/v1/prices", currency="gbp", unit_amount=200, product=product["id"],
                           **{"recurring[interval]": "month"})
    schedule = api.call("POST", "/v1/subscription_schedules", from_subscription=session["subscription"])
    api.call("POST", "/v1/subscription_schedules/" + schedule["id"], end_behavior="release",
             **{"phases[0][items][0][price]": monthly["id"],
                "phases[0][start_date]": schedule["phases"][0]["start_date"],
                "phases[0][end_date]": schedule["phases"][0]["end_date"],
                "phases[1][items][0][price]": other_price["id"]})
    api.call("GET", "/v1/subscriptions/" + session["subscription"], **{"expand[0]": "schedule"})
    api.call("POST", "/v1/subscription_schedules/%s/release" % schedule["id"])
    api.call("POST", "/v1/subscriptions/" + session["subscription"], billing_cycle_anchor="now",
             proration_behavior="always_invoice", **{"items[0][id]": sandbox.get(session["subscription"])["items"]["data"][0]["id"],
                                                     "items[0][price]": other_price["id"]})
    sandbox.fail_payment(session["subscription"])
    api.call("POST", "/v1/subscriptions/" + session["subscription"], cancel_at_period_end="true")
    api.call("DELETE", "/v1/subscriptions/" + session["subscription"])
    expired = api.call("POST", "/v1/checkout/sessions", mode="payment", **{"line_items[0][price]": pack["id"]},
                       **common)
    api.call("POST", "/v1/checkout/sessions/%s/expire" % expired["id"])
    api.call("POST", "/v1/billing_portal/sessions", customer=customer["id"], return_url="http://app.test/account")
    endpoint = api.call("POST", "/v1/webhook_endpoints", url="http://app.test/hook", **{"enabled_events[0]": "*"})
    api.call("GET", "/v1/webhook_endpoints/" + endpoint["id"])
    api.call("GET", "/v1/checkout/sessions/%s" % subscribing["id"],
             **{"expand[0]": "line_items", "expand[1]": "subscription.latest_invoice", "expand[2]": "customer"})
    api.call("GET", "/v1/checkout/sessions/%s/line_items" % one_off["id"], **{"expand[0]": "data.price.product"})
    api.call("GET", "/v1/subscriptions", status="all", **{"expand[0]": "data.latest_invoice"})
    api.call("GET", "/v1/invoices", **{"expand[0]": "data.customer"})
    api.call("GET", "/v1/payment_intents", **{"expand[0]": "data.customer"})
    api.call("GET", "/v1/prices", **{"expand[0]": "data.product"})
    api.call("GET", "/v1/products")
    api.call("GET", "/v1/customers")
    api.call("DELETE", "/v1/webhook_endpoints/" + endpoint["id"])
    events = api.call("GET", "/v1/events", limit=100)["data"]
    return api.seen + [event["data"]["object"] for event in events] + [
        event["data"]["previous_attributes"] for event in events if "previous_attributes" in event["data"]]


def collect(node, found):
    """Every object in ``node`` by its ``object`` type, nested ones included."""
    if isinstance(node, dict):
        if isinstance(node.get("object"), str):
            found.setdefault(node["object"], []).append(node)
        for value in node.values():
            collect(value, found)
    elif isinstance(node, list):
        for value in node:
            collect(value, found)
    return found


def test_the_sandbox_claims_the_api_version_of_the_pinned_sdk():
    assert API_VERSION == stripe.api_version


def test_every_object_type_the_project_uses_is_covered(shapes):
    seen = set(collect(shapes, {}))
    assert seen - set(CLASSES) == set(), "an object type with no class to check it against"
    assert set(CLASSES) - seen == set(), "a type the scenario never produced"


@pytest.mark.parametrize("object_type", sorted(CLASSES))
def test_objects_have_exactly_the_fields_of_their_sdk_class(shapes, object_type):
    found = collect(shapes, {}).get(object_type, [])
    problems = sorted({problem for obj in found if not obj.get("deleted")
                       for problem in mismatches(obj, CLASSES[object_type])})
    assert problems == []


def test_deleted_objects_are_stubs(shapes):
    deleted = [obj for objects in collect(shapes, {}).values() for obj in objects if obj.get("deleted")]
    assert {obj["object"] for obj in deleted} == {"webhook_endpoint"}
    assert all(set(obj) == {"id", "object", "deleted"} for obj in deleted)


def test_the_check_catches_removed_and_missing_fields_at_any_depth():
    """The checker itself, on shapes this API version no longer has."""
    legacy = {"id": "in_1", "object": "invoice", "paid": True, "subscription": "sub_1"}
    problems = mismatches(legacy, stripe.Invoice)
    assert {"Invoice.paid: unknown field", "Invoice.subscription: unknown field",
            "Invoice.issuer: missing required field"} <= set(problems)
    items = {"object": "list", "has_more": False, "url": "/v1/subscription_items", "total_count": 1,
             "data": [{"id": "si_1", "object": "subscription_item", "quantity": 1}]}
    problems = mismatches({"items": items, "customer": {"id": "cus_1", "object": "customer", "plan": None}},
                          stripe.Subscription)
    assert {"Subscription.items.total_count: unknown field",
            "Subscription.items.data[0].plan: missing required field",
            "Subscription.customer.plan: unknown field"} <= set(problems)
    assert "Subscription.items.data[0].quantity: unknown field" not in problems
    assert "billing_mode" in required_fields(stripe.Subscription)
    assert "current_period_end" in required_fields(stripe.SubscriptionItem)


def test_the_check_can_ask_for_every_optional_field_at_any_depth():
    """With every_field, an absent optional field is named too, at any depth,
    unless excused for its class."""
    charge = {"id": "ch_1", "object": "charge", "outcome": {"type": "authorized"}}
    assert "Charge.receipt_url: missing field" not in mismatches(charge, stripe.Charge)
    problems = mismatches(charge, stripe.Charge, every_field=True)
    assert {"Charge.receipt_url: missing field", "Charge.refunds: missing field",
            "Charge.outcome.seller_message: missing field"} <= set(problems)
    assert "Charge.amount: missing required field" in problems  # reported once, as required
    assert "Charge.amount: missing field" not in problems
    excused = {stripe.Charge: {"refunds"}, stripe.Charge.Outcome: {"seller_message"}}
    problems = mismatches(charge, stripe.Charge, every_field=True, excused=excused)
    assert "Charge.receipt_url: missing field" in problems
    assert not {"Charge.refunds: missing field", "Charge.outcome.seller_message: missing field"} & set(problems)
    invoice = {"lines": {"object": "list", "data": [{"id": "il_1", "object": "line_item"}]}}
    problems = mismatches(invoice, stripe.Invoice, every_field=True)
    assert {"Invoice.lines.url: missing required field",
            "Invoice.lines.data[0].quantity_decimal: missing field"} <= set(problems)
