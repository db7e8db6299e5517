"""Money after the sale in the sandbox (payments.py, schedules.py): charges,
refunds, disputes, invoices that need the customer, downgrades at the
period's end."""
import pytest
import requests
import stripe

from sandbox.sandbox_support import make_price, make_session, period_end, sandbox_post, subscribe, types


def paid_pack(client, sandbox, amount=5000):
    customer = client.v1.customers.create(params={"email": "pack@example.com"})
    session = make_session(client, make_price(client, amount=amount, interval=None), "payment",
                           customer=customer.id)
    sandbox.complete_checkout(session.id)
    intent = client.v1.payment_intents.retrieve(sandbox.get(session.id)["payment_intent"])
    return customer, intent


def test_every_payment_has_a_charge_found_from_its_intent_or_invoice(sandbox, client):
    customer, intent = paid_pack(client, sandbox)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount, charge.payment_intent, charge.customer, charge.paid) == (5000, intent.id, customer.id, True)
    assert [c.id for c in client.v1.charges.list(params={"customer": customer.id}).data] == [charge.id]

    sub_customer, sub = subscribe(client, sandbox)
    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    payments = client.v1.invoice_payments.list(params={"invoice": invoice.id}).data
    assert len(payments) == 1 and payments[0].status == "paid"
    sub_intent = payments[0].payment.payment_intent
    by_intent = client.v1.invoice_payments.list(
        params={"payment": {"type": "payment_intent", "payment_intent": sub_intent}}).data
    assert [p.invoice for p in by_intent] == [invoice.id]
    assert client.v1.charges.list(params={"payment_intent": sub_intent}).data[0].amount == invoice.amount_paid


def test_partial_then_full_refund_then_a_failed_one(sandbox, client):
    _, intent = paid_pack(client, sandbox)
    first = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 2500,
                                             "reason": "requested_by_customer"})
    assert (first.status, first.charge, first.amount) == ("succeeded", intent.latest_charge, 2500)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (2500, False)
    with pytest.raises(stripe.InvalidRequestError, match="greater than unrefunded amount"):
        client.v1.refunds.create(params={"charge": charge.id, "amount": 2501})
    rest = client.v1.refunds.create(params={"charge": charge.id})
    assert rest.amount == 2500 and client.v1.charges.retrieve(charge.id).refunded
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.refunds.create(params={"charge": charge.id})
    assert refused.value.code == "charge_already_refunded"
    assert {r.id for r in client.v1.refunds.list(params={"charge": charge.id}).data} == {first.id, rest.id}
    assert types(sandbox.events())[-4:] == ["refund.created", "charge.refunded"] * 2

    assert sandbox_post(sandbox, "/_sandbox/refunds/%s/fail" % rest.id)[0] == 200
    assert client.v1.refunds.retrieve(rest.id).status == "failed"
    assert client.v1.charges.retrieve(charge.id).amount_refunded == 2500
    assert types(sandbox.events())[-2:] == ["refund.updated", "refund.failed"]
    status, body = sandbox_post(sandbox, "/_sandbox/refunds/%s/fail" % rest.id)
    assert status == 400 and "cannot fail" in body["error"]["message"]


def test_dispute_withdraws_then_is_won_or_lost(sandbox, client):
    _, intent = paid_pack(client, sandbox)
    status, dispute = sandbox_post(sandbox, "/_sandbox/charges/%s/dispute" % intent.latest_charge)
    assert status == 200 and dispute["status"] == "needs_response" and dispute["amount"] == 5000
    assert types(sandbox.events())[-2:] == ["charge.dispute.created", "charge.dispute.funds_withdrawn"]
    assert client.v1.charges.retrieve(intent.latest_charge).disputed
    with pytest.raises(stripe.InvalidRequestError, match="charged back"):
        client.v1.refunds.create(params={"charge": intent.latest_charge})
    assert sandbox_post(sandbox, "/_sandbox/disputes/%s/win" % dispute["id"])[0] == 200
    assert types(sandbox.events())[-2:] == ["charge.dispute.funds_reinstated", "charge.dispute.closed"]
    assert client.v1.disputes.retrieve(dispute["id"]).status == "won"
    assert sandbox_post(sandbox, "/_sandbox/disputes/%s/lose" % dispute["id"])[0] == 400

    _, other = paid_pack(client, sandbox)
    lost = sandbox.dispute_charge(other.latest_charge)
    sandbox.lose_dispute(lost["id"])
    assert sandbox.events()[-1]["type"] == "charge.dispute.closed"
    assert client.v1.disputes.list(params={"charge": other.latest_charge}).data[0].status == "lost"


def test_a_renewal_that_needs_the_customer_is_paid_on_its_hosted_page(sandbox, client):
    _, sub = subscribe(client, sandbox)
    end = period_end(sub)
    status, body = sandbox_post(sandbox, "/_sandbox/subscriptions/%s/require_action" % sub.id)
    assert status == 200 and body["status"] == "past_due"
    invoice = body["latest_invoice"]
    assert invoice["status"] == "open" and invoice["hosted_invoice_url"].endswith("/invoice/" + invoice["id"])
    assert sandbox.events()[-2]["type"] == "invoice.payment_action_required"
    page = requests.get(invoice["hosted_invoice_url"], timeout=5)
    assert "confirm this payment" in page.text
    requests.post(invoice["hosted_invoice_url"], data={"action": "pay"}, timeout=5)
    paid = client.v1.invoices.retrieve(invoice["id"])
    assert (paid.status, paid.amount_paid) == ("paid", 500)
    renewed = client.v1.subscriptions.retrieve(sub.id)
    assert renewed.status == "active" and renewed["items"].data[0].current_period_start == end
    assert types(sandbox.events())[-2:] == ["invoice.paid", "customer.subscription.updated"]
    assert client.v1.invoice_payments.list(params={"invoice": invoice["id"]}).data[0].status == "paid"


def test_a_downgrade_waits_for_the_period_end_and_can_be_undone(sandbox, client):
    cheap = make_price(client, name="Lite", amount=200)
    customer, sub = subscribe(client, sandbox)
    portal = client.v1.billing_portal.sessions.create(params={"customer": customer.id})
    requests.post(portal.url, data={"action": "switch", "subscription": sub.id, "price": cheap.id}, timeout=5)
    scheduled = client.v1.subscriptions.retrieve(sub.id, params={"expand": ["schedule"]})
    assert scheduled["items"].data[0].price.id != cheap.id
    phases = scheduled.schedule.phases
    assert [p["items"][0].price for p in phases] == [sub["items"].data[0].price.id, cheap.id]
    assert phases[1].start_date == period_end(sub)
    assert "Changes to <strong>Lite</strong>" in requests.get(portal.url, timeout=5).text

    requests.post(portal.url, data={"action": "keep", "subscription": sub.id}, timeout=5)
    assert client.v1.subscriptions.retrieve(sub.id).schedule is None
    assert client.v1.subscription_schedules.retrieve(scheduled.schedule.id).status == "released"

    requests.post(portal.url, data={"action": "switch", "subscription": sub.id, "price": cheap.id}, timeout=5)
    renewed = sandbox.renew_subscription(sub.id)
    assert renewed["items"]["data"][0]["price"]["id"] == cheap.id and renewed["schedule"] is None
    assert renewed["latest_invoice"]["amount_paid"] == 200
