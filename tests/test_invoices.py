"""Billing history and VAT through the app and the Stripe sandbox: an invoice
per payment kind (a pack, a subscription, an automatic top-up), each with a
PDF; `GET /invoices` for the roles with billing; VAT from the customer's
country (Stripe Tax), in both price behaviours, never changing the credits
granted (chalicelib/billing/invoices.py, checkout.py, top_ups.py)."""
import contextlib
import json

import pytest
import requests

from conftest import call
from test_orgs import as_org, create_org, inbox_keeps_parts, join  # noqa: F401 - the fixture
from webhook_support import Flow, deliver_all
from chalicelib import billing
from chalicelib.platform.models import Account, LedgerEntry

TOP_UP = {"enabled": True, "threshold": 45, "pack": "Basic", "monthly_limit": 2}


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every test here delivers events signed with WEBHOOK_SECRET."""


class Buyer(Flow):
    """One user's payments; Stripe's events are delivered as they come."""

    def __init__(self, client, sandbox, user):
        super().__init__(client, sandbox, user)
        self.seen = len(self.events())

    def deliver_new(self):
        events = self.events(after=self.seen)
        self.seen += len(events)
        deliver_all(self.client, events)
        return events

    def buy(self, plan="Basic", subscribe=False, **fields):
        status, body = call(self.client, "POST", "/checkout", self.user.headers,
                            {"plan": plan, "subscribe": subscribe})
        assert status == 200, body
        session = self.sandbox.complete_checkout(body["session_id"], **fields)
        self.deliver_new()
        return session

    def invoices(self, headers=None, query=""):
        status, body = call(self.client, "GET", "/invoices" + query, headers or self.user.headers)
        assert status == 200, body
        return body

    def credits(self):
        """(purchased, plan) credits; the Free plan's 50 until a subscription."""
        account = Account.get(self.user.id, consistent_read=True)
        return account.purchased_balance, account.plan_balance


@pytest.fixture
def buyer(client, stripe_sandbox, stripe_products, user):
    return Buyer(client, stripe_sandbox, user)


def pdf(url):
    response = requests.get(url, timeout=10)
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")
    return response.content


@contextlib.contextmanager
def tax_behavior(behavior):
    """products.json's prices synced with another tax behaviour for the block."""
    from scripts.catalog.products import load_plans
    from scripts.catalog.sync import sync

    def synced(wanted):
        plans = load_plans()
        for plan in plans:
            for price in plan["prices"].values():
                price["tax_behavior"] = wanted
        sync(plans, billing.stripe(), out=lambda line: None)

    synced(behavior)
    try:
        yield
    finally:
        synced(load_plans()[1]["prices"]["one_off"]["tax_behavior"])


def test_plans_say_how_prices_carry_vat(client, stripe_products):
    status, body = call(client, "GET", "/plans")
    assert status == 200
    assert body["tax"] == {"enabled": True, "behavior": "inclusive"}
    basic = [plan for plan in body["plans"] if plan["name"] == "Basic"][0]
    assert basic["prices"]["one_off"]["tax_behavior"] == "inclusive"


def test_a_pack_bought_in_gb_has_a_paid_invoice_with_its_vat_and_a_pdf(buyer):
    session = buyer.buy(country="GB")
    stripe_session = billing.stripe().v1.checkout.sessions.retrieve(session["id"])
    assert stripe_session.automatic_tax.enabled and stripe_session.tax_id_collection.enabled
    assert stripe_session.invoice_creation.enabled
    page = buyer.invoices()
    [invoice] = page["invoices"]
    assert page["next_cursor"] is None
    assert {k: invoice[k] for k in ("total", "tax", "currency", "status", "description")} == {
        "total": 500, "tax": 83, "currency": "gbp", "status": "paid", "description": "Basic pack"}
    assert invoice["id"] == session["invoice"] and invoice["number"]
    assert requests.get(invoice["hosted_url"], timeout=10).status_code == 200
    assert rb"VAT \(20 %\): " + b"\xa30.83" in pdf(invoice["pdf_url"])  # parentheses escaped in PDF text
    assert buyer.credits() == (1000, 50)
    customer = billing.stripe().v1.customers.retrieve(buyer.customer_id)
    assert customer.address.country == "GB"


def test_a_german_business_with_a_vat_number_pays_no_vat_and_gets_the_same_credits(buyer):
    buyer.buy(country="DE", tax_id="DE123456789")
    [invoice] = buyer.invoices()["invoices"]
    assert (invoice["total"], invoice["tax"]) == (500, 0)
    stripe_invoice = billing.stripe().v1.invoices.retrieve(invoice["id"])
    assert stripe_invoice.total_taxes[0].taxability_reason == "reverse_charge"
    assert b"Reverse charge" in pdf(invoice["pdf_url"])
    assert buyer.credits() == (1000, 50)


@pytest.mark.parametrize("country,tax_id,total,tax", [
    ("GB", None, 600, 100), ("FR", None, 600, 100), ("DE", "DE123456789", 500, 0), ("US", None, 500, 0)])
def test_with_vat_added_on_top_the_customer_pays_more_for_the_same_credits(buyer, country, tax_id, total, tax):
    with tax_behavior("exclusive"):
        status, body = call(buyer.client, "GET", "/plans")
        assert body["tax"] == {"enabled": True, "behavior": "exclusive"}
        fields = {"country": country, **({"tax_id": tax_id} if tax_id else {})}
        session = buyer.buy(**fields)
    assert (session["amount_total"], session["total_details"]["amount_tax"]) == (total, tax)
    [invoice] = buyer.invoices()["invoices"]
    assert (invoice["total"], invoice["tax"]) == (total, tax)
    assert buyer.credits() == (1000, 50)
    [entry] = [e for e in LedgerEntry.query(buyer.user.id, consistent_read=True) if e.kind == "purchase"]
    assert int(entry.credits) == 1000


def test_a_subscription_start_and_renewal_each_have_an_invoice(buyer):
    session = buyer.buy(subscribe=True, country="IE")
    buyer.renew(session["subscription"])
    buyer.deliver_new()
    invoices = buyer.invoices()["invoices"]
    assert [(i["total"], i["tax"], i["status"]) for i in invoices] == [(500, 93, "paid")] * 2  # IE 23 %: 500 × 23 / 123 = 93.496…
    assert invoices[0]["created"] >= invoices[1]["created"]
    assert "Basic" in invoices[0]["description"]
    pdf(invoices[0]["pdf_url"])
    assert buyer.credits() == (0, 1000)


def save_card_and_cross(buyer, client, api_key, country="GB"):
    """A card saved with the billing address Stripe Tax needs, automatic
    top-up on at 45 credits, and the Free plan's 50 credits spent below it."""
    status, body = call(client, "POST", "/payment-method", buyer.user.headers)
    assert status == 200, body
    buyer.sandbox.complete_checkout(body["url"].rsplit("/", 1)[1], country=country)
    buyer.deliver_new()
    assert call(client, "PUT", "/auto-top-up", buyer.user.headers, TOP_UP)[0] == 200
    for _ in range(6):
        assert client.http.post("/test", headers={"x-api-key": api_key}).status_code == 200


def test_an_automatic_top_up_has_a_paid_invoice_and_grants_once(buyer, client, api_key, outbox_stream):
    save_card_and_cross(buyer, client, api_key)
    outbox_stream.drain()
    events = buyer.deliver_new()
    deliver_all(client, events)  # delivered twice: still one grant
    outbox_stream.drain()
    top_ups = [e for e in LedgerEntry.query(buyer.user.id, consistent_read=True) if e.kind == "top_up"]
    assert [int(e.credits) for e in top_ups] == [1000]
    invoices = buyer.invoices()["invoices"]
    assert [(i["description"], i["total"], i["tax"], i["status"]) for i in invoices] == [
        ("Automatic top-up: Basic pack", 500, 83, "paid")]
    intent = billing.stripe().v1.payment_intents.retrieve(top_ups[0].reference)
    assert intent.metadata["invoice"] == invoices[0]["id"] and intent.amount == 500
    pdf(invoices[0]["pdf_url"])


def test_a_declined_top_up_voids_its_invoice_and_the_history_leaves_it_out(buyer, client, api_key, outbox_stream):
    buyer.sandbox.set_card_behavior(buyer.customer_id, "decline")
    save_card_and_cross(buyer, client, api_key)
    outbox_stream.drain()
    buyer.deliver_new()
    voided = billing.stripe().v1.invoices.list(params={"customer": buyer.customer_id, "status": "void"}).data
    assert len(voided) == 1 and voided[0].metadata["top_up"]
    assert buyer.invoices()["invoices"] == []
    assert not [e for e in LedgerEntry.query(buyer.user.id, consistent_read=True) if e.kind == "top_up"]


def test_pages_newest_first_and_a_bad_cursor_is_400(buyer, client):
    for _ in range(3):
        buyer.buy(country="GB")
    first = buyer.invoices(query="?limit=2")
    second = buyer.invoices(query="?limit=2&cursor=" + first["next_cursor"])
    ids = [i["id"] for i in first["invoices"] + second["invoices"]]
    assert len(set(ids)) == 3 and second["next_cursor"] is None
    assert ids == [i["id"] for i in buyer.invoices()["invoices"]]
    for cursor in ("nope", "in_doesnotexist"):
        status, body = call(client, "GET", "/invoices?cursor=" + cursor, buyer.user.headers)
        assert (status, body["error"]["code"]) == (400, "invalid_cursor"), cursor


def test_only_roles_with_billing_see_a_teams_invoices(client, new_user, stripe_sandbox, stripe_products):
    owner, developer, biller = new_user(), new_user(), new_user()
    for person in (owner, developer, biller):
        assert call(client, "GET", "/user", person.headers)[0] == 200
    org_id = create_org(client, owner)
    join(client, owner, org_id, developer, "developer")
    join(client, owner, org_id, biller, "billing")
    status, body = call(client, "POST", "/checkout", as_org(biller, org_id), {"plan": "Basic", "subscribe": False})
    assert status == 200
    stripe_sandbox.complete_checkout(body["session_id"], country="GB")
    for person in (owner, biller):
        status, body = call(client, "GET", "/invoices", as_org(person, org_id))
        assert status == 200 and [i["total"] for i in body["invoices"]] == [500]
    status, body = call(client, "GET", "/invoices", as_org(developer, org_id))
    assert (status, body["error"]["code"]) == (403, "forbidden_role")
    # The biller's own (personal) history is their own: empty.
    assert call(client, "GET", "/invoices", biller.headers)[1] == {"invoices": [], "next_cursor": None}
    assert json.dumps(body)  # the refusal is JSON


def test_a_top_up_the_bank_wants_confirmed_has_its_invoice_paid_once_the_customer_confirms(
        buyer, client, api_key, outbox_stream):
    buyer.sandbox.set_card_behavior(buyer.customer_id, "require_authentication")
    save_card_and_cross(buyer, client, api_key, country="DE")
    outbox_stream.drain()
    buyer.deliver_new()
    [waiting] = billing.stripe().v1.invoices.list(params={"customer": buyer.customer_id}).data
    assert (waiting.status, waiting.total, waiting.total_taxes[0].amount) == ("open", 500, 80)  # DE 19 %
    assert [i["status"] for i in buyer.invoices()["invoices"]] == ["open"]
    intent = billing.stripe().v1.invoice_payments.list(params={"invoice": waiting.id}).data[0].payment.payment_intent
    buyer.sandbox.authenticate_payment_intent(intent)
    buyer.deliver_new()
    outbox_stream.drain()
    assert [(i["status"], i["tax"]) for i in buyer.invoices()["invoices"]] == [("paid", 80)]
    assert [e.reference for e in LedgerEntry.query(buyer.user.id, consistent_read=True) if e.kind == "top_up"] == [intent]


def test_a_card_saved_without_a_billing_address_fails_its_top_up_rather_than_charge_no_vat(
        buyer, client, api_key, outbox_stream):
    session = billing.stripe().v1.checkout.sessions.create(params={  # as saved before VAT: no address asked
        "mode": "setup", "customer": buyer.customer_id, "payment_method_types": ["card"],
        "success_url": "http://app.test/ok", "client_reference_id": buyer.user.id,
        "metadata": {"user_id": buyer.user.id, "purpose": "top_up_card"}})
    buyer.sandbox.complete_checkout(session.id)
    buyer.deliver_new()
    assert call(client, "PUT", "/auto-top-up", buyer.user.headers, TOP_UP)[0] == 200
    for _ in range(6):
        assert client.http.post("/test", headers={"x-api-key": api_key}).status_code == 200
    outbox_stream.drain()
    buyer.deliver_new()
    status, view = call(client, "GET", "/auto-top-up", buyer.user.headers)
    assert view["last_attempt"]["outcome"] == "declined"
    assert not billing.stripe().v1.payment_intents.list(params={"customer": buyer.customer_id}).data
    assert buyer.invoices()["invoices"] == []
    assert not [e for e in LedgerEntry.query(buyer.user.id, consistent_read=True) if e.kind == "top_up"]
