"""Stripe Tax in the sandbox: VAT from the customer's country and VAT id on
Checkout, its invoices and hand-made invoices, in both price behaviours;
every invoice with its hosted page and a real PDF."""
import pytest
import requests
import stripe

from scripts.devstack.stripe.tax import line_tax

TAXED = {"automatic_tax": {"enabled": True}, "tax_id_collection": {"enabled": True},
         "billing_address_collection": "required",
         "customer_update": {"address": "auto", "name": "auto"}}

# (country, VAT id, behaviour) -> (total paid, VAT, taxability reason) of a £5.00 price
CASES = [
    ("GB", None, "inclusive", 500, 83, "standard_rated"),
    ("GB", None, "exclusive", 600, 100, "standard_rated"),
    ("FR", None, "inclusive", 500, 83, "standard_rated"),
    ("DE", None, "inclusive", 500, 80, "standard_rated"),
    ("DE", None, "exclusive", 595, 95, "standard_rated"),
    ("DE", "DE123456789", "inclusive", 500, 0, "reverse_charge"),
    ("DE", "DE123456789", "exclusive", 500, 0, "reverse_charge"),
    ("US", None, "inclusive", 500, 0, "not_collecting"),
    ("US", None, "exclusive", 500, 0, "not_collecting"),
]


def price(client, behavior, recurring=False):
    params = {"currency": "gbp", "unit_amount": 500, "tax_behavior": behavior,
              "product_data": {"name": "Basic"}}
    if recurring:
        params["recurring"] = {"interval": "month"}
    return client.v1.prices.create(params=params)


def pay(sandbox, session_id, **fields):
    response = requests.post(f"{sandbox.url}/_sandbox/checkout/{session_id}/complete",
                             data=fields, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def assert_pdf(url):
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    # The cross-reference table points at each object exactly.
    xref = int(body[body.rindex(b"startxref") + 9:].split()[0])
    assert body[xref:xref + 4] == b"xref"
    offsets = [int(line[:10]) for line in body[xref:].split(b"\n")[3:8]]
    assert [body[o:o + 7] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]
    return body


@pytest.mark.parametrize("country,tax_id,behavior,total,vat,reason", CASES)
def test_one_off_checkout_charges_and_invoices_the_vat_of_the_country(
        client, sandbox, country, tax_id, behavior, total, vat, reason):
    customer = client.v1.customers.create(params={"email": "buyer@example.com"})
    session = client.v1.checkout.sessions.create(params={
        "mode": "payment", "customer": customer.id, "success_url": "https://example.com/ok",
        "line_items": [{"price": price(client, behavior).id, "quantity": 1}],
        "invoice_creation": {"enabled": True}, **TAXED})
    assert session.automatic_tax.status == "requires_location_inputs"
    fields = {"country": country, **({"tax_id": tax_id} if tax_id else {})}
    paid = pay(sandbox, session.id, **fields)

    assert paid["amount_total"] == total and paid["total_details"]["amount_tax"] == vat
    assert paid["automatic_tax"] == {"enabled": True, "liability": {"account": None, "type": "self"},
                                     "provider": "stripe", "status": "complete"}
    assert paid["customer_details"]["address"]["country"] == country
    intent = client.v1.payment_intents.retrieve(paid["payment_intent"])
    assert intent.amount == total
    invoice = client.v1.invoices.retrieve(paid["invoice"])
    assert (invoice.status, invoice.total, invoice.amount_paid) == ("paid", total, total)
    assert invoice.parent is None and invoice.billing_reason == "manual"
    [tax] = invoice.total_taxes
    assert (tax.amount, tax.tax_behavior, tax.taxability_reason) == (vat, behavior, reason)
    assert tax.taxable_amount == (500 - vat if behavior == "inclusive" else 500)
    assert invoice.total_excluding_tax == total - vat
    assert invoice.lines.data[0].taxes[0].amount == vat
    saved = client.v1.customers.retrieve(customer.id)
    assert saved.address.country == country
    payments = client.v1.invoice_payments.list(params={"invoice": invoice.id}).data
    assert [p.payment.payment_intent for p in payments] == [intent.id]
    if tax_id:
        assert [t.value for t in invoice.customer_tax_ids] == [tax_id]
    assert requests.get(invoice.hosted_invoice_url, timeout=10).status_code == 200
    assert_pdf(invoice.invoice_pdf)


def test_a_subscription_bought_with_automatic_tax_taxes_its_invoices(client, sandbox):
    customer = client.v1.customers.create(params={"email": "sub@example.com"})
    session = client.v1.checkout.sessions.create(params={
        "mode": "subscription", "customer": customer.id, "success_url": "https://example.com/ok",
        "line_items": [{"price": price(client, "exclusive", recurring=True).id, "quantity": 1}],
        **TAXED})
    paid = pay(sandbox, session.id, country="GB")
    subscription = client.v1.subscriptions.retrieve(paid["subscription"])
    assert subscription.automatic_tax.enabled is True
    first = client.v1.invoices.retrieve(paid["invoice"])
    assert (first.total, first.total_taxes[0].amount) == (600, 100)
    renewed = sandbox.renew_subscription(subscription.id)
    second = client.v1.invoices.retrieve(renewed["latest_invoice"]["id"])
    assert (second.total, second.amount_paid, second.total_taxes[0].amount) == (600, 600, 100)
    assert second.invoice_pdf.endswith("/pdf")


def test_an_invoice_made_by_hand_is_taxed_then_paid_by_an_attached_payment(client, sandbox):
    customer = client.v1.customers.create(params={"email": "topup@example.com"})
    pay(sandbox, client.v1.checkout.sessions.create(params={
        "mode": "setup", "customer": customer.id, "currency": "gbp",
        "success_url": "https://example.com/ok", **{k: v for k, v in TAXED.items()
                                                    if k in ("billing_address_collection",
                                                             "customer_update")}}).id,
        country="IE")
    card = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"}).data[0]
    invoice = client.v1.invoices.create(params={
        "customer": customer.id, "auto_advance": False, "automatic_tax": {"enabled": True},
        "pending_invoice_items_behavior": "exclude", "metadata": {"top_up": "c1"}})
    assert invoice.status == "draft" and invoice.number is None
    invoice = client.v1.invoices.add_lines(invoice.id, params={
        "lines": [{"pricing": {"price": price(client, "exclusive").id}, "quantity": 1}]})
    invoice = client.v1.invoices.finalize_invoice(invoice.id, params={"auto_advance": False})
    assert (invoice.status, invoice.amount_due, invoice.total_taxes[0].amount) == ("open", 615, 115)
    intent = client.v1.payment_intents.create(params={
        "amount": invoice.amount_due, "currency": "gbp", "customer": customer.id,
        "payment_method": card.id, "off_session": True, "confirm": True})
    invoice = client.v1.invoices.attach_payment(invoice.id, params={"payment_intent": intent.id})
    assert (invoice.status, invoice.amount_paid) == ("paid", 615)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoices.void_invoice(invoice.id)
    assert b"Total: \xa36.15" in assert_pdf(invoice.invoice_pdf)


def test_an_open_invoice_is_paid_when_its_attached_intent_succeeds_and_can_be_voided(client, sandbox):
    customer = client.v1.customers.create(params={"email": "later@example.com"})
    invoice = client.v1.invoices.create(params={"customer": customer.id, "currency": "gbp"})
    invoice = client.v1.invoices.add_lines(invoice.id, params={
        "lines": [{"pricing": {"price": price(client, "inclusive").id}}]})
    invoice = client.v1.invoices.finalize_invoice(invoice.id)
    assert invoice.total_taxes == [] and invoice.automatic_tax.enabled is False
    intent = client.v1.payment_intents.create(params={
        "amount": invoice.amount_due, "currency": "gbp", "customer": customer.id})
    client.v1.invoices.attach_payment(invoice.id, params={"payment_intent": intent.id})
    assert client.v1.invoices.retrieve(invoice.id).status == "open"
    voided = client.v1.invoices.void_invoice(invoice.id)
    assert voided.status == "void"


def test_checkout_refuses_tax_settings_stripe_refuses(client):
    customer = client.v1.customers.create(params={"email": "x@example.com"})
    one_off = price(client, "inclusive").id
    base = {"mode": "payment", "customer": customer.id, "success_url": "https://example.com/ok",
            "line_items": [{"price": one_off, "quantity": 1}]}
    with pytest.raises(stripe.InvalidRequestError, match="customer_update"):
        client.v1.checkout.sessions.create(params=dict(base, automatic_tax={"enabled": True}))
    with pytest.raises(stripe.InvalidRequestError, match="customer_update"):
        client.v1.checkout.sessions.create(params=dict(
            base, tax_id_collection={"enabled": True}, customer_update={"address": "auto"}))


def test_vat_rounds_half_up_per_line_and_needs_a_location():
    assert line_tax(500, "inclusive", None, []) is None
    assert line_tax(5000, "inclusive", "GB", [])["amount"] == 833
    assert line_tax(5000, "exclusive", "IE", [])["amount"] == 1150
    # A VAT id of another country, or a malformed one, is no reverse charge.
    assert line_tax(500, "exclusive", "DE", [{"type": "eu_vat", "value": "FR12345678901"}])["amount"] == 95
    assert line_tax(500, "exclusive", "DE", [{"type": "eu_vat", "value": "DE12"}])["amount"] == 95
    # Nor is a GB business's: the seller is in GB.
    assert line_tax(500, "exclusive", "GB", [{"type": "gb_vat", "value": "GB123456789"}])["amount"] == 100
