"""Disputes take back every credit the payment granted while the funds are
withdrawn, give them back when the dispute is won, and change nothing more
when it is lost; each exactly once, in any order (chalicelib/billing/disputes.py)."""
import pytest

from chalicelib.platform.models import LedgerEntry
from conftest import call
from webhook_support import deliver_all

POWER_PACK = 100000


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every test here delivers events signed with WEBHOOK_SECRET."""


def entries(user_id):
    return {e.key: int(e.credits) for e in LedgerEntry.by_time.query(user_id, consistent_read=True)
            if e.kind.startswith("dispute") or e.kind.startswith("refund")}


def bought_power_pack(client, flow):
    session = flow.checkout("Power", subscribe=False)
    deliver_all(client, flow.events())
    return flow.charge_of(session)


def test_a_dispute_takes_everything_back_and_a_won_one_returns_it(client, flow, stripe_sandbox, api_key):
    charge = bought_power_pack(client, flow)
    for _ in range(10):
        call(client, "POST", "/test/heavy", {"x-api-key": api_key})  # 50 plan + 0 purchased spent
    seen = len(flow.events())
    dispute = stripe_sandbox.dispute_charge(charge)
    withdrawn = flow.events(after=seen)
    assert [e["type"] for e in withdrawn] == ["charge.dispute.created", "charge.dispute.funds_withdrawn"]
    deliver_all(client, withdrawn + withdrawn)
    assert (flow.state()["plan_credits"], flow.state()["purchased_credits"]) == (0, 0)
    assert entries(flow.user.id) == {"dispute:" + dispute["id"]: -POWER_PACK}
    assert LedgerEntry.get(flow.user.id, "dispute:" + dispute["id"]).reference == dispute["id"]
    seen = len(flow.events())
    stripe_sandbox.win_dispute(dispute["id"])
    deliver_all(client, flow.events(after=seen) + withdrawn)
    assert flow.state()["purchased_credits"] == POWER_PACK
    assert entries(flow.user.id) == {"dispute:" + dispute["id"]: -POWER_PACK,
                                     "dispute_reinstated:" + dispute["id"]: POWER_PACK}


def test_a_lost_dispute_keeps_the_credits_taken_and_may_leave_a_debt(client, flow, stripe_sandbox, api_key):
    charge = bought_power_pack(client, flow)
    for _ in range(30):
        call(client, "POST", "/test/heavy", {"x-api-key": api_key})  # 50 plan, 100 purchased
    seen = len(flow.events())
    dispute = stripe_sandbox.dispute_charge(charge)
    stripe_sandbox.lose_dispute(dispute["id"])
    events = flow.events(after=seen)
    deliver_all(client, list(reversed(events)) + events)
    _, body = call(client, "GET", "/user", flow.user.headers)
    assert body["user"]["credits"] == -100
    assert entries(flow.user.id) == {"dispute:" + dispute["id"]: -POWER_PACK}


def test_a_dispute_on_a_partly_refunded_payment_takes_only_the_rest(client, flow, stripe_sandbox):
    charge = bought_power_pack(client, flow)
    seen = len(flow.events())
    refund = flow.refund(charge, amount=1000)
    dispute = stripe_sandbox.dispute_charge(charge)
    deliver_all(client, flow.events(after=seen))
    assert entries(flow.user.id) == {"refund:" + refund.id: -20000, "dispute:" + dispute["id"]: -80000}
    seen = len(flow.events())
    stripe_sandbox.win_dispute(dispute["id"])
    deliver_all(client, flow.events(after=seen))
    assert flow.state()["purchased_credits"] == 80000


def test_a_dispute_on_a_fully_refunded_payment_takes_nothing_more(client, flow, stripe_sandbox):
    charge = bought_power_pack(client, flow)
    seen = len(flow.events())
    flow.refund(charge)
    dispute = stripe_sandbox.dispute_charge(charge)
    deliver_all(client, flow.events(after=seen))
    assert entries(flow.user.id)["dispute:" + dispute["id"]] == 0
    assert "nothing left to take back" in LedgerEntry.get(flow.user.id, "dispute:" + dispute["id"]).description
    assert flow.state()["purchased_credits"] == 0


def test_a_dispute_won_before_its_events_arrive_moves_nothing(client, flow, stripe_sandbox):
    charge = bought_power_pack(client, flow)
    seen = len(flow.events())
    dispute = stripe_sandbox.dispute_charge(charge)
    stripe_sandbox.win_dispute(dispute["id"])
    deliver_all(client, flow.events(after=seen))
    assert entries(flow.user.id) == {}
    assert flow.state()["purchased_credits"] == POWER_PACK


def test_a_disputed_renewal_takes_the_period_allowance(client, flow, stripe_sandbox):
    flow.checkout("Basic", subscribe=True)
    deliver_all(client, flow.events())
    invoice = stripe_sandbox.get(flow.subscriptions[0])["latest_invoice"]
    seen = len(flow.events())
    dispute = stripe_sandbox.dispute_charge(flow.charge_of(invoice=invoice))
    deliver_all(client, flow.events(after=seen))
    assert flow.state()["plan_credits"] == 0
    assert entries(flow.user.id) == {"dispute:" + dispute["id"]: -1000}
