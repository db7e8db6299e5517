import pytest

from chalicelib import billing
from chalicelib.billing.webhooks import HANDLED_EVENTS
from scripts import create_webhook
from scripts.deploy import webhook_endpoints

# Loopback only: the sandbox really delivers to registered endpoints.
URL = "http://127.0.0.1:9/api/stripe/webhook"


@pytest.fixture(autouse=True)
def no_endpoint_left(stripe_sandbox):
    yield
    for endpoint in webhook_endpoints.existing_endpoints(billing.stripe(), URL):
        billing.stripe().v1.webhook_endpoints.delete(endpoint.id)


def test_registers_exactly_the_handled_events_and_prints_the_secret(stripe_sandbox):
    lines = []
    assert create_webhook.main([URL, "--replace"], out=lines.append) == 0
    endpoints = webhook_endpoints.existing_endpoints(billing.stripe(), URL)
    assert len(endpoints) == 1
    assert sorted(endpoints[0].enabled_events) == sorted(HANDLED_EVENTS)
    assert any(line.startswith("Signing secret") and "whsec_" in line for line in lines)


def test_a_second_run_keeps_the_endpoint_unless_replaced(stripe_sandbox):
    create_webhook.main([URL, "--replace"], out=lambda line: None)
    first = webhook_endpoints.existing_endpoints(billing.stripe(), URL)[0].id
    lines = []
    assert create_webhook.main([URL], out=lines.append) == 1
    assert [e.id for e in webhook_endpoints.existing_endpoints(billing.stripe(), URL)] == [first]
    assert create_webhook.main([URL, "--replace"], out=lines.append) == 0
    assert [e.id for e in webhook_endpoints.existing_endpoints(billing.stripe(), URL)] != [first]


def test_rejects_a_non_url(stripe_sandbox):
    assert create_webhook.main(["not-a-url"], out=lambda line: None) == 2


def test_ensure_webhook_creates_one_endpoint_and_hands_over_its_secret(stripe_sandbox):
    stored, lines = [], []
    endpoint = webhook_endpoints.ensure_webhook(billing.stripe(), URL, secret_stored=False,
                                             store_secret=stored.append, out=lines.append)
    assert stored == [endpoint.secret] and endpoint.secret.startswith("whsec_")
    assert not any(endpoint.secret in line for line in lines)
    assert [e.id for e in webhook_endpoints.existing_endpoints(billing.stripe(), URL)] == [endpoint.id]


def test_ensure_webhook_keeps_the_endpoint_while_its_secret_is_stored(stripe_sandbox):
    first = webhook_endpoints.ensure_webhook(billing.stripe(), URL, False, lambda secret: None, lambda line: None)
    stored = []
    again = webhook_endpoints.ensure_webhook(billing.stripe(), URL, True, stored.append, lambda line: None)
    assert again.id == first.id and stored == []
    replaced = webhook_endpoints.ensure_webhook(billing.stripe(), URL, False, stored.append, lambda line: None)
    assert replaced.id != first.id and len(stored) == 1
    assert [e.id for e in webhook_endpoints.existing_endpoints(billing.stripe(), URL)] == [replaced.id]
