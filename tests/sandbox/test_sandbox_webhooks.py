"""Events and their signed webhook deliveries, retries included (events.py,
webhooks.py)."""

import pytest
import requests
import stripe

from sandbox.sandbox_support import make_price, make_session, Receiver, subscribe, types


def test_events_api_lists_newest_first_and_filters(sandbox, client):
    subscribe(client, sandbox)
    listed = client.v1.events.list()
    assert types(listed.data) == list(reversed(types(sandbox.events())))
    event = listed.data[0]
    assert event.id.startswith("evt_") and event.object == "event" and event.livemode is False
    assert event.api_version == stripe.api_version
    assert event.request.to_dict() == {"id": None, "idempotency_key": None}
    assert client.v1.events.retrieve(event.id).type == event.type
    only = client.v1.events.list(params={"type": "invoice.paid"}).data
    assert types(only) == ["invoice.paid"]
    wildcard = client.v1.events.list(params={"type": "customer.subscription.*"}).data
    assert types(wildcard) == ["customer.subscription.created"]


def test_delivery_retries_after_500(sandbox, client, receiver):
    receiver.statuses = [500]
    client.v1.checkout.sessions.expire(
        make_session(client, make_price(client, interval=None), "payment").id)
    assert sandbox.wait_for_deliveries(5)
    assert [r["status"] for r in receiver.requests] == [500, 200]
    event = client.v1.events.list().data[0]
    assert "delivery_attempts" not in event  # sandbox-only, under /_sandbox/ only
    attempts = sandbox.deliveries(event.id)
    assert [a["status"] for a in attempts] == [500, 200] and attempts[0]["error"] == "HTTP 500"
    assert event.pending_webhooks == 0
    assert types(receiver.verified(sandbox.webhook_secret)) == ["checkout.session.expired"]
    response = requests.get(f"{sandbox.url}/_sandbox/events/{event.id}/deliveries", timeout=5)
    assert [a["attempt"] for a in response.json()["data"]] == [1, 2]


def test_delivery_gives_up_after_the_last_attempt(sandbox, client, receiver):
    receiver.statuses = [503] * 10
    client.v1.checkout.sessions.expire(
        make_session(client, make_price(client, interval=None), "payment").id)
    assert sandbox.wait_for_deliveries(5)
    event = sandbox.events()[-1]
    assert len(sandbox.deliveries(event["id"])) == 4  # three retry delays configured
    assert event["pending_webhooks"] == 1


def test_slow_webhook_endpoint_does_not_block_the_api(sandbox, client, receiver):
    price = make_price(client, interval=None)
    assert sandbox.wait_for_deliveries(5)
    answered = len(receiver.requests)
    receiver.hold()
    client.v1.checkout.sessions.expire(make_session(client, price, "payment").id)
    assert receiver.arrived.wait(5)
    # The endpoint is stuck on that delivery, and the API still answers.
    expired = client.v1.checkout.sessions.expire(make_session(client, price, "payment").id)
    assert expired.status == "expired"
    assert len(receiver.requests) == answered
    receiver.release()
    assert sandbox.wait_for_deliveries(5)
    delivered = receiver.verified(sandbox.webhook_secret)
    assert [e.created for e in delivered] == sorted(e.created for e in delivered)
    assert [e.id for e in delivered] == [e["id"] for e in sandbox.events()]


def test_webhook_signature_rejects_wrong_secret(sandbox, client, receiver):
    client.v1.checkout.sessions.expire(
        make_session(client, make_price(client, interval=None), "payment").id)
    assert sandbox.wait_for_deliveries(5)
    with pytest.raises(stripe.SignatureVerificationError):
        receiver.verified("whsec_wrong")


def test_registered_webhook_endpoints(sandbox, client):
    extra = Receiver()
    try:
        endpoint = client.v1.webhook_endpoints.create(params={
            "url": extra.url, "enabled_events": ["invoice.paid"]})
        assert endpoint.id.startswith("we_") and endpoint.secret.startswith("whsec_")
        listed = client.v1.webhook_endpoints.list().data
        assert [e.id for e in listed] == [endpoint.id] and "secret" not in listed[0]

        subscribe(client, sandbox)
        assert sandbox.wait_for_deliveries(5)
        assert types(extra.verified(endpoint.secret)) == ["invoice.paid"]
        paid = sandbox.events("invoice.paid")[0]
        assert {a["endpoint"] for a in sandbox.deliveries(paid["id"])} == {
            extra.url, sandbox.webhook_url}

        assert client.v1.webhook_endpoints.delete(endpoint.id).deleted is True
        assert client.v1.webhook_endpoints.list().data == []
    finally:
        extra.close()
