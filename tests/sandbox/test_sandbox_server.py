"""The wire format: bracket parameters, idempotency keys, authentication and
Stripe-shaped errors (params.py, server.py)."""
import pytest
import requests
import stripe

from sandbox.sandbox_support import API_KEY, make_price
from scripts.devstack.stripe import params


def test_parse_params_decodes_stripe_bracket_syntax():
    parsed = params.parse_params(
        "line_items[0][price]=price_1&line_items[0][quantity]=2"
        "&line_items[1][price]=price_2&metadata[user_id]=7&metadata[0]=zero"
        "&expand[]=subscription&expand[]=line_items&lookup_keys[0]=a&lookup_keys[1]=b"
        "&subscription_data[metadata][k]=v&recurring[interval]=month&description="
        "&payment_intent_data[metadata][1]=one")
    assert parsed == {
        "line_items": [{"price": "price_1", "quantity": "2"}, {"price": "price_2"}],
        "metadata": {"user_id": "7", "0": "zero"},
        "expand": ["subscription", "line_items"], "lookup_keys": ["a", "b"],
        "subscription_data": {"metadata": {"k": "v"}}, "recurring": {"interval": "month"},
        "description": "", "payment_intent_data": {"metadata": {"1": "one"}}}


def test_raw_form_requests_accept_empty_bracket_lists(sandbox, client):
    monthly = make_price(client, lookup_key="pro_monthly")
    make_price(client, lookup_key="pro_yearly", interval="year")
    make_price(client, lookup_key="other")
    response = requests.get(
        f"{sandbox.url}/v1/prices?lookup_keys[]=pro_monthly&lookup_keys[]=pro_yearly"
        "&expand[]=data.product&limit=5", auth=(API_KEY, ""), timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert {p["lookup_key"] for p in body["data"]} == {"pro_monthly", "pro_yearly"}
    assert all(p["product"]["object"] == "product" for p in body["data"])
    created = requests.post(f"{sandbox.url}/v1/customers", data="metadata[a]=1&metadata[b]=2",
                            headers={"Authorization": f"Bearer {API_KEY}",
                                     "Content-Type": "application/x-www-form-urlencoded"},
                            timeout=5).json()
    assert created["metadata"] == {"a": "1", "b": "2"}
    assert monthly.unit_amount == 500 and isinstance(monthly.unit_amount, int)

def test_idempotency_key_replays_the_first_response(sandbox, client):
    params = {"email": "once@example.com"}
    first = client.v1.customers.create(params=params, options={"idempotency_key": "key-1"})
    second = client.v1.customers.create(params=params, options={"idempotency_key": "key-1"})
    assert first.id == second.id
    assert len(client.v1.customers.list().data) == 1

    raw = requests.post(f"{sandbox.url}/v1/customers", data=params, timeout=5,
                        headers={"Authorization": f"Bearer {API_KEY}",
                                 "Idempotency-Key": "key-1"})
    assert raw.headers["Idempotent-Replayed"] == "true" and raw.json()["id"] == first.id

    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"email": "other@example.com"},
                                   options={"idempotency_key": "key-1"})
    other = client.v1.customers.create(params=params, options={"idempotency_key": "key-2"})
    assert other.id != first.id


def test_errors_are_stripe_shaped(sandbox, client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.subscriptions.retrieve("sub_missing")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    assert "No such subscription: 'sub_missing'" in str(missing.value)

    with pytest.raises(stripe.InvalidRequestError) as required:
        client.v1.products.create(params={})
    assert (required.value.http_status, required.value.code, required.value.param) == (
        400, "parameter_missing", "name")

    with pytest.raises(stripe.InvalidRequestError) as empty:
        client.v1.products.create(params={"name": ""})
    assert empty.value.code == "parameter_invalid_empty"

    bad_key = stripe.StripeClient("sk_live_nope", base_addresses={"api": sandbox.url},
                                  max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError) as auth:
        bad_key.v1.customers.list()
    assert auth.value.http_status == 401

    anonymous = requests.get(f"{sandbox.url}/v1/customers", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["type"] == "invalid_request_error"
    unknown = requests.get(f"{sandbox.url}/v1/coupons", auth=(API_KEY, ""), timeout=5)
    assert unknown.status_code == 404 and "Unrecognized request URL" in unknown.text
