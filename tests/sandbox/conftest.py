"""One sandbox for the Stripe sandbox tests, with a webhook receiver, reset
before every test; each test talks to it through the official stripe SDK."""
import pytest
import stripe

from sandbox.sandbox_support import API_KEY, Receiver
from scripts.devstack.stripe import StripeSandbox


@pytest.fixture(scope="session")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="session")
def sandbox(receiver):
    sb = StripeSandbox(webhook_url=receiver.url, retry_delays=(0.05, 0.05, 0.05),
                       delivery_timeout=2).start()
    yield sb
    sb.stop()


@pytest.fixture(autouse=True)
def clean(sandbox, receiver):
    assert sandbox.wait_for_deliveries(5)
    sandbox.reset()
    receiver.clear()
    yield


@pytest.fixture
def client(sandbox):
    return stripe.StripeClient(API_KEY, base_addresses={"api": sandbox.url},
                               max_network_retries=0)


@pytest.fixture
def legacy(sandbox, monkeypatch):
    """The module-level SDK style: stripe.api_key / stripe.api_base."""
    monkeypatch.setattr(stripe, "api_key", API_KEY)
    monkeypatch.setattr(stripe, "api_base", sandbox.url)
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    return stripe
