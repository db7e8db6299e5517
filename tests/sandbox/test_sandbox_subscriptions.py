"""Subscriptions: updates, cancellation, renewals and failed payments over
time, and the invoices they bill (subscriptions.py, invoices.py)."""
import pytest
import stripe

from sandbox.sandbox_support import make_price, period_end, sandbox_post, subscribe, types
from scripts.devstack.stripe import util


def test_subscription_update_emits_previous_attributes(sandbox, client):
    basic = make_price(client, name="Basic", amount=500)
    pro = make_price(client, name="Pro", amount=1500)
    _, sub = subscribe(client, sandbox, basic)

    flagged = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert flagged.cancel_at_period_end is True and flagged.cancel_at == period_end(sub)
    event = sandbox.events()[-1]
    assert event["type"] == "customer.subscription.updated"
    assert event["data"]["previous_attributes"]["cancel_at_period_end"] is False
    assert event["data"]["object"]["cancel_at_period_end"] is True

    switched = client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": sub["items"].data[0].id, "price": pro.id}],
        "proration_behavior": "create_prorations", "cancel_at_period_end": False})
    assert switched["items"].data[0].price.id == pro.id
    assert switched["items"].data[0].id == sub["items"].data[0].id
    previous = sandbox.events()[-1]["data"]["previous_attributes"]
    assert previous["items"]["data"][0]["price"]["id"] == basic.id
    assert previous["cancel_at_period_end"] is True

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.subscriptions.update(sub.id, params={"metadata": {"a": "b"},
                                                       "items": [{"id": "si_nope",
                                                                  "price": pro.id}]})
    assert exc.value.code == "resource_missing" and exc.value.param == "items[0][id]"
    assert client.v1.subscriptions.retrieve(sub.id).metadata.to_dict() == {}  # atomic


def test_cancel_subscription_and_list_filters(sandbox, client):
    customer, sub = subscribe(client, sandbox)
    canceled = client.v1.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled" and canceled.canceled_at and canceled.ended_at
    event = sandbox.events()[-1]
    assert event["type"] == "customer.subscription.deleted"
    assert event["data"]["object"]["status"] == "canceled"
    assert event["request"]["id"].startswith("req_")

    listed = client.v1.subscriptions.list(params={"customer": customer.id})
    assert listed.data == []  # canceled ones are left out by default, as on Stripe
    every = client.v1.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert [s.id for s in every.data] == [sub.id]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    expanded = client.v1.subscriptions.list(params={"status": "all", "expand": ["data.items"]})
    assert expanded.data[0]["items"].data[0].price.id == sub["items"].data[0].price.id


def test_switching_to_another_interval_restarts_the_cycle(sandbox, client):
    _, sub = subscribe(client, sandbox, make_price(client, interval="month"))
    yearly = make_price(client, name="Pro yearly", amount=5000, interval="year")
    switched = client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": sub["items"].data[0].id, "price": yearly.id}]})
    item = switched["items"].data[0]
    length = item.current_period_end - item.current_period_start
    assert length in (365 * 86400, 366 * 86400)


def test_renew_advances_period_and_bills(sandbox, client):
    customer, sub = subscribe(client, sandbox)
    before = len(sandbox.events())
    status, body = sandbox_post(sandbox, f"/_sandbox/subscriptions/{sub.id}/renew")
    assert status == 200
    item = body["items"]["data"][0]
    assert item["current_period_start"] == period_end(sub)
    assert item["current_period_end"] > item["current_period_start"]
    invoice = body["latest_invoice"]
    assert invoice["status"] == "paid" and invoice["billing_reason"] == "subscription_cycle"
    assert invoice["lines"]["data"][0]["period"]["start"] == period_end(sub)
    assert (invoice["period_start"], invoice["period_end"]) == (
        sub["items"].data[0].current_period_start, period_end(sub))  # the period just ended
    assert types(sandbox.events()[before:]) == ["invoice.paid", "customer.subscription.updated"]
    previous = sandbox.events()[-1]["data"]["previous_attributes"]
    assert period_end(previous) == period_end(sub)
    invoices = client.v1.invoices.list(params={"subscription": sub.id}).data
    assert [i.billing_reason for i in invoices] == ["subscription_cycle", "subscription_create"]
    assert client.v1.invoices.list(params={"customer": customer.id}).data[0].id == invoice["id"]


def test_failed_payment_then_recovery(sandbox, client):
    _, sub = subscribe(client, sandbox)
    before = len(sandbox.events())
    failed = sandbox.fail_payment(sub.id)
    assert failed["status"] == "past_due"
    assert failed["latest_invoice"]["status"] == "open"
    assert failed["latest_invoice"]["amount_paid"] == 0
    assert failed["latest_invoice"]["amount_due"] == 500
    assert types(sandbox.events()[before:]) == ["invoice.payment_failed",
                                                "customer.subscription.updated"]
    assert sandbox.events()[-1]["data"]["previous_attributes"]["status"] == "active"
    assert client.v1.subscriptions.list(params={"status": "past_due"}).data[0].id == sub.id

    renewed = sandbox.renew_subscription(sub.id)
    assert renewed["status"] == "active"
    assert sandbox.events()[-1]["data"]["previous_attributes"]["status"] == "past_due"


def test_renew_at_period_end_cancellation_ends_subscription(sandbox, client):
    _, sub = subscribe(client, sandbox)
    client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    ended = sandbox.renew_subscription(sub.id)
    assert ended["status"] == "canceled" and ended["ended_at"] == period_end(sub)
    assert sandbox.events()[-1]["type"] == "customer.subscription.deleted"
    status, body = sandbox_post(sandbox, f"/_sandbox/subscriptions/{sub.id}/renew")
    assert status == 400 and "canceled" in body["error"]["message"]


def test_monthly_periods_keep_the_anchor_day():
    jan31 = 1738281600  # 2025-01-31T00:00:00Z
    assert util.shift(jan31, "month", 1) == 1740700800  # 2025-02-28
    assert util.shift(jan31, "month", 2) == 1743379200  # 2025-03-31
    assert util.shift(jan31, "year", 1) == 1769817600  # 2026-01-31
    assert util.shift(jan31, "week", 1) == jan31 + 7 * 86400
