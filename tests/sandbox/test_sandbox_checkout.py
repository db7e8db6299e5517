"""Checkout Sessions: the API, the hosted page, completing and declining
(checkout.py, pages.py)."""
import pytest
import requests
import stripe

from sandbox.sandbox_support import make_price, make_session, sandbox_post, types


def test_payment_checkout_completed_by_control(sandbox, client, receiver):
    price = make_price(client, name="Lifetime", interval=None, amount=4900)
    customer = client.v1.customers.create(params={"email": "pay@example.com"})
    session = make_session(client, price, "payment", customer=customer.id,
                           client_reference_id="user_9", metadata={"order": "o1"},
                           payment_intent_data={"metadata": {"user_id": "9"}})
    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert session.url == f"{sandbox.url}/checkout/{session.id}"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency, session.mode) == (4900, "gbp", "payment")

    status, body = sandbox_post(sandbox, f"/_sandbox/checkout/{session.id}/complete")
    assert status == 200 and body["status"] == "complete"

    done = client.v1.checkout.sessions.retrieve(session.id,
                                                params={"expand": ["payment_intent"]})
    assert (done.status, done.payment_status) == ("complete", "paid")
    assert done.payment_intent.id.startswith("pi_") and done.payment_intent.status == "succeeded"
    assert done.payment_intent.metadata.to_dict() == {"user_id": "9"}
    assert done.payment_intent.amount_received == 4900 and done.subscription is None
    assert done.client_reference_id == "user_9" and done.metadata.order == "o1"

    expected = ["payment_intent.succeeded", "checkout.session.completed"]
    assert types(sandbox.events()) == expected
    assert sandbox.wait_for_deliveries(5)
    delivered = receiver.verified(sandbox.webhook_secret)
    assert types(delivered) == expected
    assert delivered[1].data.object.id == session.id
    assert delivered[1].data.object.payment_intent == done.payment_intent.id
    header = receiver.requests[0]["headers"]
    assert header["Content-Type"] == "application/json; charset=utf-8"
    assert receiver.requests[0]["path"] == "/stripe/webhook"


def test_subscription_checkout_paid_through_hosted_page(sandbox, client, receiver):
    price = make_price(client, name="Pro", nickname="Pro monthly")
    customer = client.v1.customers.create(params={"email": "page@example.com"})
    session = make_session(client, price, "subscription", customer=customer.id,
                           subscription_data={"metadata": {"user_id": "42"}})

    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Pro" in page.text and "£5.00" in page.text
    assert 'value="pay"' in page.text and 'value="decline"' in page.text

    paid = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=5)
    assert paid.status_code == 303
    assert paid.headers["Location"] == f"http://app.test/done?session={session.id}"

    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["subscription", "line_items"]})
    assert done.status == "complete" and done.url is None
    assert done.line_items.data[0].price.id == price.id
    sub = done.subscription
    assert sub.id.startswith("sub_") and sub.status == "active" and sub.customer == customer.id
    assert sub.metadata.to_dict() == {"user_id": "42"}
    item = sub["items"].data[0]
    assert item.id.startswith("si_") and item.price.id == price.id and item.quantity == 1
    assert item.current_period_end > item.current_period_start  # periods live on items
    assert "current_period_end" not in sub and "plan" not in sub and item.plan.id == price.id

    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert invoice.id.startswith("in_") and invoice.status == "paid"
    assert invoice.billing_reason == "subscription_create" and invoice.amount_paid == 500
    assert "subscription" not in invoice and "paid" not in invoice
    assert invoice.parent.subscription_details.subscription == sub.id
    assert invoice.parent.subscription_details.metadata.user_id == "42"
    line = invoice.lines.data[0]
    assert line.pricing.price_details.price == price.id
    assert line.period.end == item.current_period_end

    expected = ["customer.subscription.created", "invoice.paid", "checkout.session.completed"]
    assert types(sandbox.events()) == expected
    assert sandbox.wait_for_deliveries(5)
    assert types(receiver.verified(sandbox.webhook_secret)) == expected

    again = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=5)
    assert again.status_code == 303
    assert types(sandbox.events()) == expected  # paying twice creates nothing new
    assert len(client.v1.subscriptions.list(params={"customer": customer.id}).data) == 1


def test_checkout_decline_keeps_session_open(sandbox, client):
    price = make_price(client, interval=None)
    session = make_session(client, price, "payment")
    declined = requests.post(session.url, data={"action": "decline"}, allow_redirects=False,
                             timeout=5)
    assert declined.status_code == 303 and declined.headers["Location"] == "http://app.test/pricing"
    status, body = sandbox_post(sandbox, f"/_sandbox/checkout/{session.id}/decline")
    assert status == 200 and body["status"] == "open"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert sandbox.events() == []


def test_checkout_without_customer_creates_one_in_subscription_mode(sandbox, client):
    session = make_session(client, make_price(client), "subscription",
                           customer_email="new@example.com")
    done = sandbox.complete_checkout(session.id)
    customer = client.v1.customers.retrieve(done["customer"])
    assert customer.email == "new@example.com"
    assert client.v1.subscriptions.retrieve(done["subscription"]).customer == customer.id


@pytest.mark.parametrize("case", ["recurring_in_payment", "one_time_in_subscription",
                                  "missing_price", "inactive_price", "unknown_customer",
                                  "missing_mode", "bad_quantity"])
def test_checkout_validation(client, case):
    recurring, one_time = make_price(client), make_price(client, interval=None)
    inactive = make_price(client, interval=None, active=False)
    item = {"price": one_time.id, "quantity": 1}
    params = {"mode": "payment", "line_items": [item], "success_url": "http://app.test/ok"}
    expected = {
        "recurring_in_payment": (dict(line_items=[{"price": recurring.id, "quantity": 1}]),
                                 None, "line_items[0][price]"),
        "one_time_in_subscription": (dict(mode="subscription"), None, "line_items"),
        "missing_price": (dict(line_items=[{"price": "price_nope", "quantity": 1}]),
                          "resource_missing", "line_items[0][price]"),
        "inactive_price": (dict(line_items=[{"price": inactive.id, "quantity": 1}]),
                           None, "line_items[0][price]"),
        "unknown_customer": (dict(customer="cus_nope"), "resource_missing", "customer"),
        "missing_mode": (dict(mode=None), "parameter_missing", "mode"),
        "bad_quantity": (dict(line_items=[{"price": one_time.id, "quantity": "lots"}]),
                         "parameter_invalid_integer", "line_items[0][quantity]"),
    }
    overrides, code, param = expected[case]
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.checkout.sessions.create(params={**params, **overrides})
    assert exc.value.http_status == 400
    assert (exc.value.code, exc.value.param) == (code, param)
    assert client.v1.checkout.sessions.list().data == []


def test_expire_checkout_session(sandbox, client):
    session = make_session(client, make_price(client, interval=None), "payment")
    expired = client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    assert types(sandbox.events()) == ["checkout.session.expired"]
    status, body = sandbox_post(sandbox, f"/_sandbox/checkout/{session.id}/complete")
    assert status == 400 and body["error"]["type"] == "invalid_request_error"


def test_setup_mode_saves_a_card_on_the_hosted_page(sandbox, client, receiver):
    customer = client.v1.customers.create(params={"email": "saver@example.com"})
    session = client.v1.checkout.sessions.create(params={
        "mode": "setup", "currency": "gbp", "customer": customer.id,
        "setup_intent_data": {"metadata": {"user_id": "7"}},
        "success_url": "http://app.test/saved?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://app.test/account"})
    assert (session.mode, session.currency, session.amount_total) == ("setup", "gbp", None)
    assert (session.status, session.payment_status, session.setup_intent) == ("open", "no_payment_required", None)

    page = requests.get(session.url, timeout=5)
    assert "Save your card" in page.text and "£" not in page.text and "Pay" not in page.text
    assert 'value="pay"' in page.text and 'value="decline"' in page.text
    saved = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=5)
    assert saved.headers["Location"] == "http://app.test/saved?session=%s" % session.id

    done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["setup_intent.payment_method"]})
    assert (done.status, done.payment_status, done.payment_intent) == ("complete", "no_payment_required", None)
    intent = done.setup_intent
    assert intent.id.startswith("seti_") and (intent.status, intent.usage) == ("succeeded", "off_session")
    assert intent.customer == customer.id and intent.metadata.to_dict() == {"user_id": "7"}
    card = intent.payment_method
    assert (card.type, card.customer, card.card.brand, card.card.last4) == ("card", customer.id, "visa", "4242")
    assert [pm.id for pm in client.v1.customers.payment_methods.list(customer.id).data] == [card.id]
    # As on Stripe, saving a card does not make it the customer's default: the app does that.
    assert client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None

    expected = ["setup_intent.created", "payment_method.attached", "setup_intent.succeeded",
                "checkout.session.completed"]
    assert types(sandbox.events()) == expected
    assert sandbox.wait_for_deliveries(5)
    delivered = receiver.verified(sandbox.webhook_secret)
    assert types(delivered) == expected
    assert delivered[-1].data.object.setup_intent == intent.id
    assert delivered[1].data.object.id == card.id

    again = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=5)
    assert again.status_code == 303 and types(sandbox.events()) == expected  # saved once


def test_setup_mode_validation(client):
    base = {"mode": "setup", "success_url": "http://app.test/ok"}
    cases = [({}, "currency"),
             ({"currency": "gbp", "line_items": [{"price": "price_x", "quantity": 1}]}, "line_items"),
             ({"currency": "gbp", "payment_intent_data": {"setup_future_usage": "off_session"}},
              "payment_intent_data")]
    for extra, param in cases:
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.checkout.sessions.create(params={**base, **extra})
        assert refused.value.param == param
    with_types = client.v1.checkout.sessions.create(params={**base, "payment_method_types": ["card"]})
    assert with_types.currency is None


def test_a_payment_with_setup_future_usage_saves_the_card(sandbox, client):
    customer = client.v1.customers.create(params={"email": "keep@example.com"})
    pack = make_price(client, interval=None, amount=900)
    session = make_session(client, pack, "payment", customer=customer.id,
                           payment_intent_data={"setup_future_usage": "off_session",
                                                "metadata": {"user_id": "5"}})
    assert "saved for future payments" in requests.get(session.url, timeout=5).text
    sandbox.complete_checkout(session.id)
    intent = client.v1.payment_intents.retrieve(sandbox.get(session.id)["payment_intent"],
                                                params={"expand": ["payment_method", "latest_charge"]})
    assert (intent.status, intent.setup_future_usage) == ("succeeded", "off_session")
    assert intent.payment_method.customer == customer.id and intent.payment_method.card.last4 == "4242"
    assert intent.latest_charge.payment_method == intent.payment_method.id
    assert [pm.id for pm in client.v1.customers.payment_methods.list(customer.id).data] == [intent.payment_method.id]
    assert types(sandbox.events()) == ["payment_method.attached", "payment_intent.succeeded",
                                       "checkout.session.completed"]

    plain = make_session(client, pack, "payment", customer=customer.id)
    sandbox.complete_checkout(plain.id)
    paid_with = client.v1.payment_intents.retrieve(sandbox.get(plain.id)["payment_intent"]).payment_method
    assert client.v1.payment_methods.retrieve(paid_with).customer is None  # used, not saved
    assert len(client.v1.customers.payment_methods.list(customer.id).data) == 1


def test_setup_future_usage_without_a_customer_makes_one(sandbox, client):
    session = make_session(client, make_price(client, interval=None), "payment", customer_email="new@example.com",
                           payment_intent_data={"setup_future_usage": "off_session"})
    done = sandbox.complete_checkout(session.id)
    assert client.v1.customers.retrieve(done["customer"]).email == "new@example.com"
    assert len(client.v1.customers.payment_methods.list(done["customer"]).data) == 1
