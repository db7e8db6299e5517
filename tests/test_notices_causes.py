"""The emails whose causes exist today, each sent exactly once however often
(and however concurrently) its cause is delivered: a renewal that failed or
needs the customer (one per invoice), credits owed after a refund or a
dispute (one per refund or dispute), an operator's suspension and its end
(one each time). Causes come through the app (webhooks, admin routes); the
emails through the stream and the emulator's SES (the `outbox_stream` fixture)."""
import concurrent.futures

import pytest

from conftest import call
from email_support import inbox_of
from webhook_support import deliver, deliver_all

ACCOUNT = "/admin/accounts/%s"


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every test here delivers events signed with WEBHOOK_SECRET."""


def five_times_and_five_at_once(client, events):
    for _ in range(5):
        deliver_all(client, events)
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda event: deliver(client, event)[0], events * 5))
    assert set(statuses) == {200}


def subjects(user):
    return [message["subject"] for message in inbox_of(user)]


def subscribed(client, flow, plan="Basic"):
    flow.checkout(plan, subscribe=True)
    deliver_all(client, flow.events())


def test_a_failed_renewal_sends_one_email_per_invoice(client, flow, outbox_stream):
    subscribed(client, flow)
    seen = len(flow.events())
    failed = flow.fail_payment()
    events = flow.events(after=seen)
    assert "invoice.payment_failed" in [e["type"] for e in events]
    five_times_and_five_at_once(client, events)
    outbox_stream.drain()
    [message] = inbox_of(flow.user)
    invoice = failed["latest_invoice"]
    assert message["subject"] == "Credits: Your Basic renewal payment failed"
    assert "£5.00" in message["text"] and "Pay the invoice: %s" % invoice["hosted_invoice_url"] in message["text"]
    assert message["headers"] == {}  # a payment email: no List-Unsubscribe


def test_a_renewal_that_needs_the_customer_sends_one_email_with_the_link_to_pay(client, flow, stripe_sandbox,
                                                                               outbox_stream):
    subscribed(client, flow, "Power")
    seen = len(flow.events())
    needing = stripe_sandbox.require_action(flow.subscriptions[0])
    events = flow.events(after=seen)
    five_times_and_five_at_once(client, events)
    # Stripe may report the same invoice as failed too: still one email for it.
    action = [e for e in events if e["type"] == "invoice.payment_action_required"][0]
    deliver(client, dict(action, id=action["id"] + "_failed", type="invoice.payment_failed"))
    outbox_stream.drain()
    [message] = inbox_of(flow.user)
    assert message["subject"] == "Credits: Confirm the payment for your Power renewal"
    link = needing["latest_invoice"]["hosted_invoice_url"]
    assert "Confirm the payment: %s" % link in message["text"] and 'href="%s"' % link in message["html"]


def test_a_failure_reported_after_the_invoice_was_paid_sends_nothing(client, flow, stripe_sandbox, outbox_stream):
    subscribed(client, flow)
    seen = len(flow.events())
    failed = flow.fail_payment()
    late = flow.events(after=seen)
    stripe_sandbox.pay_invoice(failed["latest_invoice"]["id"])
    deliver_all(client, [e for e in flow.events(after=seen) if e not in late])
    deliver_all(client, late)
    outbox_stream.drain()
    assert inbox_of(flow.user) == []


def test_a_refund_that_leaves_a_debt_sends_one_email(client, flow, api_key, outbox_stream):
    session = flow.checkout("Basic", subscribe=False)
    deliver_all(client, flow.events())
    for _ in range(20):
        assert call(client, "POST", "/test/heavy", {"x-api-key": api_key})[0] == 200  # 50 plan + 50 purchased
    seen = len(flow.events())
    refund = flow.refund(flow.charge_of(session))
    five_times_and_five_at_once(client, flow.events(after=seen))
    outbox_stream.drain()
    [message] = inbox_of(flow.user)
    assert message["subject"] == "Credits: Your account owes 50 credits"
    assert "A refund of £5.00 on your Basic pack took back credits" in message["text"]
    assert "your balance is -50 credits" in message["text"]
    from chalicelib.platform.models import EmailNotice
    assert EmailNotice.get(flow.user.id, "email:credits_owed:refund:" + refund.id).state == "sent"


def test_a_refund_that_leaves_credits_sends_nothing(client, flow, outbox_stream):
    session = flow.checkout("Basic", subscribe=False)
    deliver_all(client, flow.events())
    seen = len(flow.events())
    flow.refund(flow.charge_of(session), amount=250)
    deliver_all(client, flow.events(after=seen))
    outbox_stream.drain()
    assert inbox_of(flow.user) == []


def test_each_dispute_that_leaves_a_debt_sends_one_email(client, flow, stripe_sandbox, api_key, outbox_stream):
    session = flow.checkout("Basic", subscribe=False)
    deliver_all(client, flow.events())
    for _ in range(12):
        call(client, "POST", "/test/heavy", {"x-api-key": api_key})  # 50 plan + 10 purchased
    seen = len(flow.events())
    dispute = stripe_sandbox.dispute_charge(flow.charge_of(session))
    five_times_and_five_at_once(client, flow.events(after=seen))
    outbox_stream.drain()
    assert subjects(flow.user) == ["Credits: Your account owes 10 credits"]
    assert "A dispute of £5.00 on your Basic pack" in inbox_of(flow.user)[0]["text"]
    # Losing the dispute changes nothing more: no second email.
    seen = len(flow.events())
    stripe_sandbox.lose_dispute(dispute["id"])
    deliver_all(client, flow.events(after=seen))
    outbox_stream.drain()
    assert len(inbox_of(flow.user)) == 1


def test_each_suspension_and_its_end_send_one_email(client, operator, user, outbox_stream):
    assert call(client, "GET", "/user", user.headers)[0] == 200
    path = ACCOUNT % user.id
    assert call(client, "POST", path + "/suspend", operator.headers, {"reason": "Unusual traffic"})[0] == 200
    assert call(client, "POST", path + "/unsuspend", operator.headers, {"reason": "Explained"})[0] == 200
    assert call(client, "POST", path + "/suspend", operator.headers, {"reason": "Again"})[0] == 200
    outbox_stream.drain()
    outbox_stream.drain()
    assert subjects(user) == ["Credits: Your Credits account is suspended", "Credits: Your Credits account is active again",
                              "Credits: Your Credits account is suspended"]
    assert "The reason given: Again" in inbox_of(user)[0]["text"]
    assert "The reason given: Unusual traffic" in inbox_of(user)[2]["text"]


def test_recording_never_fails_the_webhook_or_changes_credits(client, flow, outbox_stream, monkeypatch):
    from chalicelib.platform.models import EmailNotice

    def unavailable(self, *args, **kwargs):
        raise RuntimeError("DynamoDB is unavailable")
    subscribed(client, flow)
    before = flow.state()
    monkeypatch.setattr(EmailNotice, "save", unavailable)
    seen = len(flow.events())
    flow.fail_payment()
    deliver_all(client, flow.events(after=seen))
    outbox_stream.drain()
    assert inbox_of(flow.user) == []
    after = flow.state()
    assert (after["plan_credits"], after["purchased_credits"], after["ledger"]) == (
        before["plan_credits"], before["purchased_credits"], before["ledger"])


def test_an_invoice_the_email_cannot_describe_is_still_applied(client, flow, outbox_stream, monkeypatch):
    """Reading the plan for the email fails (say, an invoice without lines):
    the event is still applied (200), and the failure is counted."""
    import chalicelib.billing.webhooks as webhooks

    def broken(invoice):
        raise webhooks.MalformedEvent("no lines")
    subscribed(client, flow)
    seen = len(flow.events())
    flow.fail_payment()
    monkeypatch.setattr(webhooks, "first_line", broken)
    deliver_all(client, flow.events(after=seen))
    outbox_stream.drain()
    assert inbox_of(flow.user) == []
    _, body = call(client, "GET", "/user", flow.user.headers)
    assert body["user"]["subscription"]["status"] == "past_due"
