"""Refunds take back exactly the refunded share of what a payment granted,
from the bucket it granted, once per refund whatever the delivery order; a
failed refund gives it back (chalicelib/billing/refunds.py, payments.py)."""
import concurrent.futures

import pytest

from chalicelib.credits.balances import Credits
from chalicelib.keys import key_format
from chalicelib.platform.models import Account, LedgerEntry
from conftest import call
from webhook_support import deliver, deliver_all

POWER_PACK = 100000


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every test here delivers events signed with WEBHOOK_SECRET."""


def entries(user_id, kind):
    return {e.key: int(e.credits) for e in LedgerEntry.by_time.query(user_id, consistent_read=True) if e.kind == kind}


def balance_matches_ledger(flow):
    """The sum of the ledger entries is the balance (nothing was spent here,
    and no period was reset)."""
    total = sum(credits for _, _, credits in flow.state()["ledger"])
    assert total == int(Account.get(flow.user.id, consistent_read=True).credits)


def test_partial_then_full_refund_of_a_pack_takes_back_its_share_then_the_rest(client, flow):
    session = flow.checkout("Power", subscribe=False)
    deliver_all(client, flow.events())
    charge = flow.charge_of(session)
    seen = len(flow.events())
    half = flow.refund(charge, amount=2500)
    deliver_all(client, flow.events(after=seen))
    state = flow.state()
    assert (state["plan_credits"], state["purchased_credits"]) == (50, 50000)
    assert ("refund:" + half.id, "refund", -50000) in state["ledger"]
    seen = len(flow.events())
    rest = flow.refund(charge)
    deliver_all(client, flow.events(after=seen))
    state = flow.state()
    assert (state["plan_credits"], state["purchased_credits"]) == (50, 0)
    assert entries(flow.user.id, "refund") == {"refund:" + half.id: -50000, "refund:" + rest.id: -50000}
    entry = LedgerEntry.get(flow.user.id, "refund:" + half.id)
    assert entry.reference == half.id and entry.description == "Refund of Power pack (£25.00 of £50.00)"
    balance_matches_ledger(flow)


def test_shares_of_odd_amounts_add_up_to_the_whole_grant(client, flow):
    session = flow.checkout("Basic", subscribe=False)  # £5.00 for 1,000 credits
    deliver_all(client, flow.events())
    charge = flow.charge_of(session)
    for amount in (133, 133, None):
        flow.refund(charge, amount)
    deliver_all(client, flow.events())
    assert sorted(entries(flow.user.id, "refund").values()) == [-468, -266, -266]
    assert flow.state()["purchased_credits"] == 0


def test_spent_credits_refunded_leave_a_debt_that_402s_until_a_purchase_covers_it(client, flow, api_key):
    session = flow.checkout("Basic", subscribe=False)
    deliver_all(client, flow.events())
    # 1,000 credits spent with the key at once (200 calls of /test/heavy
    # spend the same): 50 plan + 950 purchased.
    assert Credits().spend(flow.user.id, key_format.hash_key(api_key), 1000) == 50
    seen = len(flow.events())
    flow.refund(flow.charge_of(session))
    deliver_all(client, flow.events(after=seen))
    _, body = call(client, "GET", "/user", flow.user.headers)
    assert (body["user"]["credits"], body["user"]["plan_credits"], body["user"]["purchased_credits"]) == (-950, -950, 0)
    status, refused = call(client, "POST", "/test", {"x-api-key": api_key})
    assert status == 402 and refused["error"]["remaining"] == -950
    seen = len(flow.events())
    flow.checkout("Basic", subscribe=False)
    deliver_all(client, flow.events(after=seen))
    state = flow.state()
    assert (state["plan_credits"], state["purchased_credits"]) == (0, 50)
    assert call(client, "POST", "/test", {"x-api-key": api_key})[0] == 200


def test_a_refund_before_the_purchase_event_grants_first_then_takes_back(client, flow):
    session = flow.checkout("Power", subscribe=False)
    purchase = flow.events()
    flow.refund(flow.charge_of(session), amount=1000)
    refund_events = flow.events(after=len(purchase))
    deliver_all(client, refund_events)
    deliver_all(client, purchase)
    state = flow.state()
    assert state["purchased_credits"] == POWER_PACK - 20000
    assert ("checkout:" + session["id"], "purchase", POWER_PACK) in state["ledger"]
    balance_matches_ledger(flow)


def test_one_refund_delivered_twenty_times_at_once_takes_back_once(client, flow):
    session = flow.checkout("Power", subscribe=False)
    deliver_all(client, flow.events())
    seen = len(flow.events())
    refund = flow.refund(flow.charge_of(session), amount=1000)
    events = flow.events(after=seen)
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda event: deliver(client, event)[0], events * 10))
    assert set(statuses) == {200}
    assert entries(flow.user.id, "refund") == {"refund:" + refund.id: -20000}
    assert flow.state()["purchased_credits"] == POWER_PACK - 20000


def test_a_failed_refund_gives_the_credits_back_once_in_any_order(client, flow, stripe_sandbox):
    session = flow.checkout("Power", subscribe=False)
    deliver_all(client, flow.events())
    seen = len(flow.events())
    refund = flow.refund(flow.charge_of(session), amount=2500)
    created = flow.events(after=seen)
    deliver_all(client, created)
    assert flow.state()["purchased_credits"] == 50000
    seen = len(flow.events())
    stripe_sandbox.fail_refund(refund.id)
    failed = flow.events(after=seen)
    deliver_all(client, failed + failed + created)
    assert flow.state()["purchased_credits"] == POWER_PACK
    assert entries(flow.user.id, "refund_reversed") == {"refund_reversed:" + refund.id: 50000}

    # A refund that failed before any of its events arrived never moves credits.
    seen = len(flow.events())
    other = flow.refund(flow.charge_of(session), amount=1000)
    stripe_sandbox.fail_refund(other.id)
    deliver_all(client, list(reversed(flow.events(after=seen))))
    assert flow.state()["purchased_credits"] == POWER_PACK
    assert "refund:" + other.id not in entries(flow.user.id, "refund")
    balance_matches_ledger(flow)


def test_a_subscription_refund_takes_plan_credits_of_the_current_period_only(client, flow):
    flow.checkout("Basic", subscribe=True)
    deliver_all(client, flow.events())
    first_invoice = flow.sandbox.get(flow.subscriptions[0])["latest_invoice"]
    seen = len(flow.events())
    flow.renew()
    deliver_all(client, flow.events(after=seen))
    current_invoice = flow.sandbox.get(flow.subscriptions[0])["latest_invoice"]
    seen = len(flow.events())
    old = flow.refund(flow.charge_of(invoice=first_invoice))
    half = flow.refund(flow.charge_of(invoice=current_invoice), amount=250)
    deliver_all(client, flow.events(after=seen))
    assert entries(flow.user.id, "refund") == {"refund:" + old.id: 0, "refund:" + half.id: -500}
    assert "lapsed" in LedgerEntry.get(flow.user.id, "refund:" + old.id).description
    state = flow.state()
    assert (state["plan_credits"], state["purchased_credits"]) == (500, 0)


def test_a_crash_between_the_grant_and_the_take_back_converges_on_redelivery(client, flow, monkeypatch):
    from chalicelib.billing import payments

    session = flow.checkout("Power", subscribe=False)
    purchase = flow.events()
    flow.refund(flow.charge_of(session), amount=5000)
    refund_events = flow.events(after=len(purchase))

    def crash(*args, **kwargs):
        raise payments.PaymentBusy("injected")
    with monkeypatch.context() as patched:
        patched.setattr(payments.TakeBacks, "settle", crash)
        assert deliver(client, refund_events[0])[0] == 503
    assert flow.state()["purchased_credits"] == POWER_PACK  # granted, nothing taken yet
    deliver_all(client, refund_events + purchase)
    assert flow.state()["purchased_credits"] == 0
    balance_matches_ledger(flow)
