"""The sandbox speaks the API version the SDK pins: every object it returns or
puts in an event (or in an error) has every field of its stripe-python class
and no other (checked recursively through nested, expanded and listed
objects), except the fields Stripe itself leaves out unless asked, in one
situation or for other types (``fields.py``)."""
import functools
import os
from decimal import Decimal

import pytest
import stripe

from scripts import ROOT
from scripts.devstack.stripe import API_VERSION, StripeSandbox
from scripts.devstack.stripe.fields import EXPAND_ONLY, FIELDS, NESTED_FIELDS, ONE_PER_TYPE, ONLY_WHEN
from sandbox.sandbox_support import make_price, make_session, subscribe
from stripe_shapes import field_class, fields, mismatches, required_fields

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
    "payment_method": stripe.PaymentMethod,
    "setup_intent": stripe.SetupIntent,
    "list": stripe.ListObject,
}


@pytest.fixture(scope="module")
def quiet_sandbox():
    """Its own sandbox (no webhooks), so the shapes are exactly this scenario's."""
    with StripeSandbox(port=0) as running:
        yield running


class Api:
    """The sandbox's REST API through the official SDK's raw requests: the
    JSON as sent (the SDK's objects would accept any field), recording every
    object it sees."""

    def __init__(self, sandbox):
        self.client = stripe.StripeClient(API_KEY, base_addresses={"api": sandbox.url},
                                          max_network_retries=0)
        self.seen = []

    def call(self, method, path, **params):
        answer = self.client.raw_request(method.lower(), path, **params).data
        self.seen.append(answer)
        return answer

    def refused(self, method, path, **params):
        """The body of a 402 card error, which carries the payment intent and
        the payment method."""
        with pytest.raises(stripe.CardError) as refused:
            self.call(method, path, **params)
        self.seen.append(refused.value.json_body)
        return refused.value.json_body["error"]


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
    saving = api.call("POST", "/v1/checkout/sessions", mode="setup", currency="gbp", customer=customer["id"],
                      success_url="http://app.test/ok", cancel_url="http://app.test/no",
                      **{"setup_intent_data[metadata][user_id]": "u1"})
    sandbox.complete_checkout(saving["id"])
    api.call("GET", "/v1/checkout/sessions/" + saving["id"], **{"expand[0]": "setup_intent.payment_method"})
    card = api.call("GET", "/v1/customers/%s/payment_methods" % customer["id"])["data"][0]
    api.call("POST", "/v1/customers/" + customer["id"], **{"invoice_settings[default_payment_method]": card["id"],
                                                          "expand[0]": "invoice_settings.default_payment_method"})
    off_session = {"amount": 900, "currency": "gbp", "customer": customer["id"], "payment_method": card["id"],
                   "off_session": "true", "confirm": "true", "metadata[credits]": "1000"}
    paid = api.call("POST", "/v1/payment_intents", **off_session, **{"expand[0]": "latest_charge"})
    api.call("POST", "/v1/refunds", payment_intent=paid["id"])
    sandbox.set_card_behavior(customer["id"], "decline")
    api.refused("POST", "/v1/payment_intents", **off_session)
    sandbox.set_card_behavior(customer["id"], "require_authentication")
    needs_you = api.refused("POST", "/v1/payment_intents", **off_session)["payment_intent"]
    api.call("POST", "/v1/payment_intents/%s/confirm" % needs_you["id"], payment_method=card["id"],
             return_url="http://app.test/account")
    sandbox.authenticate_payment_intent(needs_you["id"])
    failing = api.call("POST", "/v1/payment_intents", amount=900, currency="gbp", customer=customer["id"],
                       payment_method=card["id"], confirm="true", return_url="http://app.test/account")
    sandbox.fail_payment_intent_authentication(failing["id"])
    api.call("GET", "/v1/payment_intents/" + failing["id"])
    api.call("POST", "/v1/setup_intents", customer=customer["id"])
    api.call("GET", "/v1/setup_intents", customer=customer["id"], **{"expand[0]": "data.payment_method"})
    api.call("POST", "/v1/payment_methods/%s/detach" % card["id"])
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


# The sandbox's field lists by (object type, path), "" being the top level.
LISTED = {**{(kind, ""): names for kind, names in FIELDS.items()}, **NESTED_FIELDS}
LEFT_OUT = sorted(set(EXPAND_ONLY) | set(ONLY_WHEN) | set(ONE_PER_TYPE))


def left_out(key):
    """The fields of ``key`` Stripe sends only when asked, in one situation
    or for the object's type."""
    return set(EXPAND_ONLY.get(key, ())) | set(ONLY_WHEN.get(key, {})) | set(ONE_PER_TYPE.get(key, ()))


def sdk_fields(key):
    kind, path = key
    names = set(fields(field_class(CLASSES[kind], path)))
    return names | {"object"} if kind == "list" and not path else names


@functools.lru_cache(maxsize=None)
def excused():
    """{SDK class: the fields it may lack}, from the sandbox's lists."""
    found = {}
    for key in LEFT_OUT:
        found.setdefault(field_class(CLASSES[key[0]], key[1]), set()).update(left_out(key))
    return found


def key_id(key):
    return ":".join(filter(None, key))


def test_every_object_type_has_a_field_list():
    assert set(FIELDS) == set(CLASSES)


@pytest.mark.parametrize("key", sorted(LISTED) + [k for k in LEFT_OUT if k not in LISTED], ids=key_id)
def test_the_field_lists_are_the_sdk_classes_less_what_stripe_leaves_out(key):
    """A new SDK (another API version) that adds or drops a field fails here."""
    listed = LISTED.get(key, ())
    assert len(set(listed)) == len(listed), "a field listed twice"
    assert set(listed) & left_out(key) == set(), "listed and left out"
    if key in LISTED:
        assert sorted(set(listed) | left_out(key)) == sorted(sdk_fields(key))
    else:
        assert left_out(key) <= sdk_fields(key)


@pytest.mark.parametrize("object_type", sorted(CLASSES))
def test_objects_have_every_field_of_their_sdk_class_and_no_other(shapes, object_type):
    found = collect(shapes, {}).get(object_type, [])
    problems = sorted({problem for obj in found if not obj.get("deleted")
                       for problem in mismatches(obj, CLASSES[object_type], every_field=True,
                                                 excused=excused())})
    assert problems == []


def sdk_objects(client, sandbox, receiver):
    """One object of every type, through the SDK's typed calls on real flows."""
    customer, subscription = subscribe(client, sandbox)
    subscription = client.v1.subscriptions.retrieve(subscription.id)
    item = subscription["items"].data[0]
    invoice = client.v1.invoices.retrieve(subscription.latest_invoice)
    pack = make_price(client, name="Pack", amount=900, interval=None)
    session = make_session(client, pack, "payment", customer=customer.id)
    sandbox.complete_checkout(session.id)
    session = client.v1.checkout.sessions.retrieve(session.id)
    intent = client.v1.payment_intents.retrieve(session.payment_intent)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    objects = [
        customer, subscription, item, item.plan, item.price, invoice, invoice.lines.data[0],
        client.v1.invoice_payments.list({"invoice": invoice.id}).data[0],
        client.v1.products.retrieve(pack.product), session,
        client.v1.checkout.sessions.line_items.list(session.id).data[0], intent, charge,
        client.v1.refunds.create({"charge": charge.id, "amount": 100}),
        client.v1.disputes.retrieve(sandbox.dispute_charge(charge.id)["id"]),
        client.v1.subscription_schedules.create({"from_subscription": subscription.id}),
        client.v1.billing_portal.sessions.create({"customer": customer.id}),
        client.v1.webhook_endpoints.create({"url": receiver.url, "enabled_events": ["*"]}),
        client.v1.events.list().data[0]]
    saving = client.v1.checkout.sessions.create(params={"mode": "setup", "currency": "gbp", "customer": customer.id,
                                                        "success_url": "http://app.test/ok"})
    sandbox.complete_checkout(saving.id)
    setup_intent = client.v1.setup_intents.retrieve(client.v1.checkout.sessions.retrieve(saving.id).setup_intent)
    objects += [setup_intent, client.v1.payment_methods.retrieve(setup_intent.payment_method)]
    return {obj.object: obj for obj in objects}


def test_the_sdk_reads_every_field_of_what_real_flows_return(client, sandbox, receiver):
    """Reading a field Stripe sends (say ``charge.receipt_url`` or
    ``invoice.invoice_pdf``) on the SDK's objects never raises."""
    objects = sdk_objects(client, sandbox, receiver)
    assert set(objects) == set(FIELDS) - {"list"}
    for obj in objects.values():
        for name in FIELDS[obj.object]:
            getattr(obj, name)
    assert objects["invoice"].invoice_pdf == "%s/invoice/%s/pdf" % (sandbox.url, objects["invoice"].id)
    assert objects["charge"].receipt_url == "%s/receipts/%s" % (sandbox.url, objects["charge"].id)
    invoice = objects["invoice"]
    assert invoice.hosted_invoice_url == "%s/invoice/%s" % (sandbox.url, invoice.id)


def test_fields_the_sandbox_knows_carry_values_not_null(client, sandbox, receiver):
    objects = sdk_objects(client, sandbox, receiver)
    charge, invoice, refund = objects["charge"], objects["invoice"], objects["refund"]
    assert (charge.outcome.type, charge.outcome.seller_message) == ("authorized", "Payment complete.")
    assert refund.customer == charge.customer == objects["customer"].id
    assert (invoice.customer_tax_exempt, invoice.customer_tax_ids) == ("none", [])
    assert objects["line_item"].quantity_decimal == Decimal("1")  # the SDK decodes the decimal string
    session = objects["checkout.session"]
    assert (session.discounts, session.phone_number_collection.enabled) == ([], False)
    subscription = objects["subscription"]
    assert subscription.payment_settings.save_default_payment_method == "off"
    assert subscription.trial_settings.end_behavior.missing_payment_method == "create_invoice"
    assert subscription.default_tax_rates == []
    schedule = objects["subscription_schedule"]
    assert schedule.default_settings.collection_method == "charge_automatically"
    assert schedule.phases[0]["items"][0].tax_rates == [] and schedule.phases[0].default_tax_rates == []
    assert objects["item"].metadata.to_dict() == {}


def _doc_rows(heading):
    """The rows of the first table after ``heading`` in docs/stripe-sandbox.md,
    as lists of the backticked names in each cell."""
    with open(os.path.join(ROOT, "docs", "stripe-sandbox.md"), encoding="utf-8") as doc:
        text = doc.read()
    assert heading in text
    rows = []
    for line in text.split(heading, 1)[1].splitlines():
        if line.startswith("| `"):
            rows.append([cell.split("`")[1::2] for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows


def test_the_docs_list_the_fields_left_out():
    expand_only = {}
    for (kind, path), names in EXPAND_ONLY.items():
        expand_only.setdefault(kind, set()).update(path + "." + name if path else name for name in names)
    assert {row[0][0]: set(row[1]) for row in _doc_rows("Only with `expand[]`")} == expand_only
    only_when = {}
    for (kind, path), names in ONLY_WHEN.items():
        for name in names:
            only_when.setdefault(path + "." + name if path else name, set()).add(kind)
    assert {row[0][0]: set(row[1]) for row in _doc_rows("Only in one situation")} == only_when


def test_the_docs_list_the_hashes_sent_only_for_their_type(shapes):
    """Each object with one hash per type is in the docs, with the hashes the
    sandbox makes; those are the only ones its objects carry."""
    rows = {row[0][0]: set(row[1]) for row in _doc_rows("Only for their type")}
    assert set(rows) == {kind + "." + path if path else kind for kind, path in ONE_PER_TYPE}
    found = collect(shapes, {})
    for (kind, path), names in ONE_PER_TYPE.items():
        made = rows[kind + "." + path if path else kind]
        assert made <= set(names)
        nodes = found[kind]
        for part in filter(None, path.split(".")):
            nodes = [node[part] for node in nodes if isinstance(node.get(part), dict)]
        assert nodes and {name for node in nodes for name in node if name in names} == made


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
