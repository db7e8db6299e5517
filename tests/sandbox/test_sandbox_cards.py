"""Saved cards (cards.py): payment methods, setup intents, a customer's
default card and how their cards behave when charged."""
import pytest
import requests
import stripe

from sandbox.sandbox_support import save_card, types


def test_a_saved_card_is_a_card_payment_method_of_its_customer(sandbox, client):
    customer, card = save_card(client, sandbox)
    assert card.id.startswith("pm_") and (card.object, card.type) == ("payment_method", "card")
    assert card.customer == customer.id
    assert (card.card.brand, card.card.last4, card.card.exp_month) == ("visa", "4242", 12)
    assert card.card.exp_year > 2000 and card.card.funding == "credit"
    assert card.billing_details.email == "card@example.com"
    assert "sepa_debit" not in card and "us_bank_account" not in card  # only its own type's hash
    listed = client.v1.customers.payment_methods.list(customer.id)
    assert [pm.id for pm in listed.data] == [card.id]
    assert listed.url == "/v1/customers/%s/payment_methods" % customer.id
    assert client.v1.customers.payment_methods.retrieve(customer.id, card.id).id == card.id
    assert [pm.id for pm in client.v1.payment_methods.list(params={"customer": customer.id}).data] == [card.id]
    assert client.v1.customers.payment_methods.list(customer.id, params={"type": "sepa_debit"}).data == []


def test_the_default_card_is_set_and_unset_by_updating_the_customer(sandbox, client):
    customer, card = save_card(client, sandbox)
    assert client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None
    updated = client.v1.customers.update(customer.id, params={
        "invoice_settings": {"default_payment_method": card.id},
        "expand": ["invoice_settings.default_payment_method"]})
    assert updated.invoice_settings.default_payment_method.card.last4 == "4242"
    cleared = client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": ""}})
    assert cleared.invoice_settings.default_payment_method is None
    assert types(sandbox.events())[-1] == "checkout.session.completed"  # updates emit nothing


def test_the_default_card_must_be_one_of_the_customers_cards(sandbox, client):
    customer, _ = save_card(client, sandbox)
    _, strangers = save_card(client, sandbox, client.v1.customers.create(params={}))
    for card_id, code in ((strangers.id, None), ("pm_nope", "resource_missing")):
        with pytest.raises(stripe.InvalidRequestError) as refused:
            client.v1.customers.update(customer.id, params={
                "invoice_settings": {"default_payment_method": card_id}, "name": "Changed"})
        assert (refused.value.code, refused.value.param) == (code, "invoice_settings[default_payment_method]")
    assert client.v1.customers.retrieve(customer.id).name is None  # all or nothing


def test_attach_and_detach(sandbox, client):
    customer, card = save_card(client, sandbox)
    client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": card.id}})
    detached = client.v1.payment_methods.detach(card.id)
    assert detached.customer is None
    assert client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None
    assert client.v1.customers.payment_methods.list(customer.id).data == []
    with pytest.raises(stripe.InvalidRequestError, match="not attached"):
        client.v1.payment_methods.detach(card.id)
    with pytest.raises(stripe.InvalidRequestError, match="may not be used again"):
        client.v1.payment_methods.attach(card.id, params={"customer": customer.id})
    assert types(sandbox.events())[-1] == "payment_method.detached"

    # A setup session naming no customer leaves its card unattached: the app attaches it.
    session = client.v1.checkout.sessions.create(params={"mode": "setup", "currency": "gbp",
                                                         "success_url": "http://app.test/ok"})
    sandbox.complete_checkout(session.id)
    loose = client.v1.setup_intents.retrieve(client.v1.checkout.sessions.retrieve(session.id).setup_intent)
    assert client.v1.payment_methods.retrieve(loose.payment_method).customer is None
    other = client.v1.customers.create(params={})
    attached = client.v1.payment_methods.attach(loose.payment_method, params={"customer": other.id})
    assert attached.customer == other.id and types(sandbox.events())[-1] == "payment_method.attached"
    attached_events = len(sandbox.events("payment_method.attached"))
    again = client.v1.payment_methods.attach(loose.payment_method, params={"customer": other.id})
    assert again.customer == other.id and len(sandbox.events("payment_method.attached")) == attached_events
    with pytest.raises(stripe.InvalidRequestError, match="already been attached"):
        client.v1.payment_methods.attach(loose.payment_method, params={"customer": customer.id})
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_methods.attach(loose.payment_method, params={})
    assert missing.value.code == "parameter_missing"


def test_setup_intents_through_the_api(sandbox, client):
    customer, card = save_card(client, sandbox)
    assert client.v1.setup_intents.create(params={}).customer is None
    waiting = client.v1.setup_intents.create(params={"customer": customer.id, "metadata": {"k": "v"}})
    assert waiting.id.startswith("seti_") and waiting.status == "requires_payment_method"
    assert waiting.client_secret.startswith(waiting.id + "_secret_") and waiting.usage == "off_session"
    assert waiting.metadata.to_dict() == {"k": "v"} and waiting.payment_method_types == ["card"]
    confirmed = client.v1.setup_intents.create(params={"customer": customer.id, "payment_method": card.id,
                                                       "confirm": True})
    assert (confirmed.status, confirmed.payment_method) == ("succeeded", card.id)
    assert client.v1.setup_intents.retrieve(confirmed.id).status == "succeeded"
    listed = client.v1.setup_intents.list(params={"customer": customer.id})
    assert [si.id for si in listed.data][:2] == [confirmed.id, waiting.id]
    with pytest.raises(stripe.InvalidRequestError, match="missing a payment method"):
        client.v1.setup_intents.create(params={"customer": customer.id, "confirm": True})
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.setup_intents.retrieve("seti_nope")
    assert missing.value.http_status == 404 and "No such setupintent" in str(missing.value)
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_methods.retrieve("pm_nope")
    assert missing.value.http_status == 404 and "No such PaymentMethod: 'pm_nope'" in str(missing.value)


def test_the_card_control_sets_how_the_customers_cards_behave(sandbox, client):
    customer, card = save_card(client, sandbox)
    answer = requests.post("%s/_sandbox/customers/%s/card" % (sandbox.url, customer.id),
                           data={"behavior": "decline"}, timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {"customer": customer.id, "behavior": "decline",
                             "test_card": "4000 0000 0000 0341", "payment_methods": [card.id]}
    _, later = save_card(client, sandbox, customer)
    assert later.card.last4 == "0341"  # a card saved later behaves the same, and says so
    assert client.v1.payment_methods.retrieve(card.id).card.last4 == "4242"  # a card's number never changes
    assert sandbox.set_card_behavior(customer.id, "require_authentication")["test_card"] == "4000 0027 6000 3184"

    bad = requests.post("%s/_sandbox/customers/%s/card" % (sandbox.url, customer.id),
                        data={"behavior": "explode"}, timeout=5)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "behavior"
    missing = requests.post("%s/_sandbox/customers/cus_nope/card" % sandbox.url,
                            data={"behavior": "decline"}, timeout=5)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"
