"""Charging a saved card (payment_intents.py): off-session payments that
succeed, are declined or need the customer, the hosted page where the
customer authenticates, idempotency keys, refunds of such payments."""
import concurrent.futures
import urllib.parse

import pytest
import requests
import stripe

from sandbox.sandbox_support import sandbox_post, save_card, types


def charge(client, customer, card, key=None, **extra):
    params = {"amount": 900, "currency": "gbp", "customer": customer.id, "payment_method": card.id,
              "off_session": True, "confirm": True, "metadata": {"credits": "1000"},
              "description": "Auto top-up: 1,000 credits", **extra}
    return client.v1.payment_intents.create(params=params, options={"idempotency_key": key} if key else {})


def test_an_off_session_payment_that_succeeds(sandbox, client, receiver):
    customer, card = save_card(client, sandbox)
    seen = len(sandbox.events())
    intent = charge(client, customer, card)
    assert intent.id.startswith("pi_") and intent.status == "succeeded"
    assert (intent.amount, intent.amount_received, intent.currency) == (900, 900, "gbp")
    assert (intent.customer, intent.payment_method) == (customer.id, card.id)
    assert intent.metadata.to_dict() == {"credits": "1000"} and intent.last_payment_error is None
    paid = client.v1.charges.retrieve(intent.latest_charge)
    assert (paid.status, paid.paid, paid.amount, paid.payment_method) == ("succeeded", True, 900, card.id)
    assert paid.description == "Auto top-up: 1,000 credits" and paid.metadata.credits == "1000"
    assert paid.receipt_url == "%s/receipts/%s" % (sandbox.url, paid.id)
    receipt = requests.get(paid.receipt_url, timeout=5)
    assert receipt.status_code == 200 and "£9.00" in receipt.text and "4242" in receipt.text

    expected = ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]
    assert types(sandbox.events()[seen:]) == expected
    assert sandbox.wait_for_deliveries(5)
    delivered = receiver.verified(sandbox.webhook_secret)[seen:]
    assert types(delivered) == expected
    assert delivered[-1].data.object.metadata.credits == "1000"
    assert delivered[1].data.object.payment_intent == intent.id


def test_a_declined_card_raises_card_error_with_the_payment_intent(sandbox, client):
    customer, card = save_card(client, sandbox)
    sandbox.set_card_behavior(customer.id, "decline")
    seen = len(sandbox.events())
    with pytest.raises(stripe.CardError) as declined:
        charge(client, customer, card)
    error = declined.value
    assert (error.http_status, error.code, error.error.decline_code) == (402, "card_declined", "generic_decline")
    assert error.user_message == "Your card was declined."
    assert error.error.type == "card_error" and error.error.doc_url.endswith("/card-declined")
    intent = error.error.payment_intent
    assert intent.status == "requires_payment_method" and intent.payment_method is None
    assert intent.metadata.credits == "1000"
    assert (intent.last_payment_error.code, intent.last_payment_error.payment_method.id) == ("card_declined", card.id)
    assert error.error.payment_method.id == card.id
    failed = client.v1.charges.retrieve(error.error.charge)
    assert (failed.status, failed.paid, failed.failure_code) == ("failed", False, "card_declined")
    assert failed.outcome.type == "issuer_declined" and failed.receipt_url is None
    assert requests.get("%s/receipts/%s" % (sandbox.url, failed.id), timeout=5).status_code == 404
    assert client.v1.payment_intents.retrieve(intent.id).latest_charge == failed.id
    assert types(sandbox.events()[seen:]) == ["payment_intent.created", "charge.failed",
                                              "payment_intent.payment_failed"]
    assert sandbox.events()[-1]["data"]["object"]["last_payment_error"]["decline_code"] == "generic_decline"
    with pytest.raises(stripe.InvalidRequestError, match="no successful charge"):
        client.v1.refunds.create(params={"payment_intent": intent.id})
    with pytest.raises(stripe.InvalidRequestError, match="has failed"):
        client.v1.refunds.create(params={"charge": failed.id})


def test_a_card_that_needs_authentication_fails_off_session(sandbox, client):
    """As on Stripe: the off-session attempt fails (402
    ``authentication_required``) and the intent wants a payment method."""
    customer, card = save_card(client, sandbox)
    sandbox.set_card_behavior(customer.id, "require_authentication")
    seen = len(sandbox.events())
    with pytest.raises(stripe.CardError) as refused:
        charge(client, customer, card)
    error = refused.value
    assert (error.http_status, error.code, error.error.decline_code) == (
        402, "authentication_required", "authentication_required")
    intent = error.error.payment_intent
    assert (intent.status, intent.next_action, intent.latest_charge) == ("requires_payment_method", None, None)
    assert intent.last_payment_error.code == "authentication_required"
    assert intent.last_payment_error.payment_method.id == card.id
    assert error.error.charge is None
    assert types(sandbox.events()[seen:]) == ["payment_intent.created", "payment_intent.payment_failed"]


def test_the_customer_completes_the_payment_on_the_hosted_page_once(sandbox, client):
    customer, card = save_card(client, sandbox)
    sandbox.set_card_behavior(customer.id, "require_authentication")
    with pytest.raises(stripe.CardError) as refused:
        charge(client, customer, card)
    failed = refused.value.error.payment_intent

    # Back on-session: confirm again with the same card and a return_url.
    seen = len(sandbox.events())
    waiting = client.v1.payment_intents.confirm(failed.id, params={
        "payment_method": failed.last_payment_error.payment_method.id,
        "return_url": "http://app.test/account?topup=1"})
    assert waiting.status == "requires_action" and waiting.next_action.type == "redirect_to_url"
    url = waiting.next_action.redirect_to_url.url
    assert url == "%s/authenticate/%s" % (sandbox.url, failed.id)
    assert waiting.next_action.redirect_to_url.return_url == "http://app.test/account?topup=1"
    assert "use_stripe_sdk" not in waiting.next_action
    assert types(sandbox.events()[seen:]) == ["payment_intent.requires_action"]

    page = requests.get(url, timeout=5)
    assert "£9.00" in page.text and "Complete payment" in page.text and "Visa &bull;&bull;&bull;&bull; 4242" in page.text
    done = requests.post(url, data={"action": "complete"}, allow_redirects=False, timeout=5)
    assert done.status_code == 303
    target = urllib.parse.urlsplit(done.headers["Location"])
    assert target.path == "/account"
    assert urllib.parse.parse_qs(target.query) == {
        "topup": ["1"], "payment_intent": [failed.id], "redirect_status": ["succeeded"],
        "payment_intent_client_secret": [failed.client_secret]}
    paid = client.v1.payment_intents.retrieve(failed.id)
    assert (paid.status, paid.next_action, paid.last_payment_error) == ("succeeded", None, None)
    assert client.v1.charges.retrieve(paid.latest_charge).paid
    after = ["payment_intent.requires_action", "charge.succeeded", "payment_intent.succeeded"]
    assert types(sandbox.events()[seen:]) == after

    again = requests.post(url, data={"action": "complete"}, allow_redirects=False, timeout=5)
    assert again.status_code == 303 and types(sandbox.events()[seen:]) == after  # completes once
    assert "succeeded" in requests.get(url, timeout=5).text
    assert len(client.v1.charges.list(params={"payment_intent": failed.id}).data) == 1
    status, body = sandbox_post(sandbox, "/_sandbox/payment_intents/%s/authenticate" % failed.id)
    assert status == 400 and body["error"]["code"] == "payment_intent_unexpected_state"


def test_on_session_the_control_authenticates_or_fails(sandbox, client):
    customer, card = save_card(client, sandbox)
    sandbox.set_card_behavior(customer.id, "require_authentication")
    waiting = charge(client, customer, card, off_session=False)  # the customer is here: no error
    assert waiting.status == "requires_action" and waiting.next_action.redirect_to_url.return_url is None
    status, body = sandbox_post(sandbox, "/_sandbox/payment_intents/%s/authenticate" % waiting.id)
    assert status == 200 and body["status"] == "succeeded"
    assert types(sandbox.events())[-2:] == ["charge.succeeded", "payment_intent.succeeded"]

    other = charge(client, customer, card, off_session=False)
    status, body = sandbox_post(sandbox, "/_sandbox/payment_intents/%s/fail_authentication" % other.id)
    assert status == 200 and body["status"] == "requires_payment_method"
    assert body["last_payment_error"]["code"] == "payment_intent_authentication_failure"
    assert types(sandbox.events())[-1] == "payment_intent.payment_failed"
    assert client.v1.payment_intents.retrieve(other.id).latest_charge is None

    third = charge(client, customer, card, off_session=False, return_url="http://app.test/back")
    failed = requests.post(third.next_action.redirect_to_url.url, data={"action": "fail"},
                           allow_redirects=False, timeout=5)
    assert "redirect_status=failed" in failed.headers["Location"]
    assert client.v1.payment_intents.retrieve(third.id).status == "requires_payment_method"


def test_one_idempotency_key_charges_once_under_concurrency(sandbox, client):
    customer, card = save_card(client, sandbox)
    seen = len(sandbox.events())
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        intents = list(pool.map(lambda _: charge(client, customer, card, key="topup:acct_1:42"), range(20)))
    assert len({intent.id for intent in intents}) == 1
    assert all(intent.status == "succeeded" for intent in intents)
    assert len(client.v1.payment_intents.list(params={"customer": customer.id}).data) == 1
    assert len(client.v1.charges.list(params={"customer": customer.id}).data) == 1
    assert types(sandbox.events()[seen:]) == ["payment_intent.created", "charge.succeeded",
                                              "payment_intent.succeeded"]

    with pytest.raises(stripe.IdempotencyError):
        charge(client, customer, card, key="topup:acct_1:42", amount=1800)
    assert len(client.v1.payment_intents.list(params={"customer": customer.id}).data) == 1


def test_a_declined_payment_is_replayed_for_its_key_not_retried(sandbox, client):
    customer, card = save_card(client, sandbox)
    sandbox.set_card_behavior(customer.id, "decline")
    with pytest.raises(stripe.CardError) as first:
        charge(client, customer, card, key="topup:acct_1:43")
    sandbox.set_card_behavior(customer.id, "succeed")
    with pytest.raises(stripe.CardError) as replayed:
        charge(client, customer, card, key="topup:acct_1:43")
    assert replayed.value.error.payment_intent.id == first.value.error.payment_intent.id
    assert replayed.value.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.payment_intents.list(params={"customer": customer.id}).data) == 1
    assert charge(client, customer, card, key="topup:acct_1:44").status == "succeeded"  # a new key pays


def test_refunds_of_an_off_session_payment(sandbox, client):
    customer, card = save_card(client, sandbox)
    intent = charge(client, customer, card)
    part = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 300})
    assert (part.charge, part.status, part.customer) == (intent.latest_charge, "succeeded", customer.id)
    rest = client.v1.refunds.create(params={"charge": intent.latest_charge})
    assert rest.amount == 600 and client.v1.charges.retrieve(intent.latest_charge).refunded
    assert types(sandbox.events())[-4:] == ["refund.created", "charge.refunded"] * 2
    assert "Refunded: £9.00" in requests.get(client.v1.charges.retrieve(intent.latest_charge).receipt_url,
                                             timeout=5).text


def test_creating_and_confirming_without_confirm(sandbox, client):
    customer, card = save_card(client, sandbox)
    bare = client.v1.payment_intents.create(params={"amount": 500, "currency": "GBP", "customer": customer.id})
    assert (bare.status, bare.currency, bare.latest_charge) == ("requires_payment_method", "gbp", None)
    assert types(sandbox.events())[-1] == "payment_intent.created"
    with pytest.raises(stripe.InvalidRequestError, match="missing a payment method"):
        client.v1.payment_intents.confirm(bare.id)
    ready = client.v1.payment_intents.create(params={"amount": 500, "currency": "gbp", "customer": customer.id,
                                                     "payment_method": card.id})
    assert ready.status == "requires_confirmation"
    assert client.v1.payment_intents.confirm(ready.id, params={"off_session": True}).status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.payment_intents.confirm(ready.id)
    assert again.value.code == "payment_intent_unexpected_state"


@pytest.mark.parametrize("case", ["missing_amount", "missing_currency", "off_session_without_confirm",
                                  "confirm_without_card", "another_customers_card", "unknown_card"])
def test_payment_intent_validation(sandbox, client, case):
    customer, card = save_card(client, sandbox)
    stranger = client.v1.customers.create(params={})
    params = {"amount": 900, "currency": "gbp", "customer": customer.id, "payment_method": card.id,
              "off_session": True, "confirm": True}
    overrides, code, param = {
        "missing_amount": ({"amount": None}, "parameter_missing", "amount"),
        "missing_currency": ({"currency": None}, "parameter_missing", "currency"),
        "off_session_without_confirm": ({"confirm": None}, None, "off_session"),
        "confirm_without_card": ({"payment_method": None}, None, "payment_method"),
        "another_customers_card": ({"customer": stranger.id}, None, "payment_method"),
        "unknown_card": ({"payment_method": "pm_nope"}, "resource_missing", "payment_method"),
    }[case]
    params = {k: v for k, v in {**params, **overrides}.items() if v is not None}
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.payment_intents.create(params=params)
    assert (refused.value.http_status, refused.value.code, refused.value.param) == (400, code, param)
    assert client.v1.payment_intents.list().data == []


def test_a_card_no_customer_keeps_pays_once(sandbox, client):
    session = client.v1.checkout.sessions.create(params={"mode": "setup", "currency": "gbp",
                                                         "success_url": "http://app.test/ok"})
    sandbox.complete_checkout(session.id)
    card = client.v1.setup_intents.retrieve(client.v1.checkout.sessions.retrieve(session.id).setup_intent).payment_method
    params = {"amount": 500, "currency": "gbp", "payment_method": card, "confirm": True}
    assert client.v1.payment_intents.create(params=params).status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError, match="may not be used again"):
        client.v1.payment_intents.create(params=params)
