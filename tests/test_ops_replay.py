"""make replay-webhooks: deliveries the Stripe sandbox dropped are listed by
`delivery_success=false` and applied through the webhook route, exactly once
however often the replay runs."""
import datetime

import pytest

from chalicelib.platform.models import Account, LedgerEntry
from scripts.ops.replay import since_timestamp
from webhook_support import WEBHOOK_SECRET, Flow

NOW = 1_800_000_000


@pytest.mark.parametrize("text, expected", [
    (None, NOW - 30 * 86400), ("7d", NOW - 7 * 86400), ("12h", NOW - 12 * 3600), ("30m", NOW - 1800),
    ("2026-11-30", int(datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc).timestamp())),
])
def test_since_takes_a_duration_or_a_date(text, expected):
    assert since_timestamp(text, now=NOW) == expected


def test_since_refuses_anything_else():
    with pytest.raises(ValueError, match="duration"):
        since_timestamp("last week", now=NOW)


@pytest.fixture
def live_webhooks(api_url, stripe_sandbox, webhook_secret):
    """The sandbox delivers to the app over HTTP (as on the local stack),
    dropping every delivery until the test says otherwise."""
    stripe_sandbox.drop_deliveries(True)
    stripe_sandbox.set_webhook(api_url + "/stripe/webhook", WEBHOOK_SECRET)
    yield
    stripe_sandbox.set_webhook(None)
    stripe_sandbox.drop_deliveries(False)


def purchased(user_id):
    account = Account.get(user_id, consistent_read=True)
    grants = [entry.key for entry in LedgerEntry.query(user_id, consistent_read=True) if entry.kind == "purchase"]
    return account.purchased_balance, grants


def test_dropped_deliveries_are_replayed_once(client, user, stripe_sandbox, live_webhooks, monkeypatch,
                                              api_url):
    from scripts import replay_webhooks
    from scripts.devstack import state

    flow = Flow(client, stripe_sandbox, user)
    session = flow.checkout("Basic", subscribe=False)
    assert stripe_sandbox.wait_for_deliveries(10)
    assert purchased(user.id) == (0, [])
    dropped = {event["id"] for event in flow.events()}
    listed = {event.id for event in stripe_sandbox_client(stripe_sandbox).v1.events.list(
        params={"delivery_success": False, "limit": 100}).auto_paging_iter()}
    assert dropped and dropped <= listed

    stripe_sandbox.drop_deliveries(False)
    config = {"api_url": api_url, "stripe_api_base": stripe_sandbox.url, "stripe_webhook_secret": WEBHOOK_SECRET}
    monkeypatch.setattr(state, "running_stack", lambda path: config)
    lines = []
    assert replay_webhooks.main(["--stage", "local", "--since", "1h"], out=lines.append) == 0
    assert purchased(user.id) == (1000, ["checkout:" + session["id"]])
    assert any(event_id in line and " 200" in line for line in lines for event_id in dropped)

    assert replay_webhooks.main(["--stage", "local"], out=lines.append) == 0  # again: nothing changes
    assert purchased(user.id) == (1000, ["checkout:" + session["id"]])


def stripe_sandbox_client(sandbox):
    from chalicelib.billing import stripe_client
    return stripe_client.build(api_key="sk_test_local", api_base=sandbox.url)


def test_the_sandbox_lists_only_events_some_endpoint_has_not_received(stripe_sandbox, live_webhooks, user, client):
    stripe = stripe_sandbox_client(stripe_sandbox)
    stripe_sandbox.drop_deliveries(False)
    flow = Flow(client, stripe_sandbox, user)
    flow.checkout("Basic", subscribe=False)
    assert stripe_sandbox.wait_for_deliveries(10)
    delivered = {event["id"] for event in flow.events()}
    failed = {event.id for event in stripe.v1.events.list(params={"delivery_success": False}).auto_paging_iter()}
    succeeded = {event.id for event in stripe.v1.events.list(params={"delivery_success": True}).auto_paging_iter()}
    assert delivered and not delivered & failed and delivered <= succeeded
