"""Automatic top-up through the app, the Stripe sandbox and the ledger
table's stream: the card, the settings, one PaymentIntent per crossing, one
grant per payment however often Stripe delivers it, declines, the bank's
check (SCA), the monthly limit, refunds (chalicelib/billing/top_ups.py)."""
import concurrent.futures

import pytest

from conftest import call
from email_support import inbox_of
from webhook_support import Flow, deliver, deliver_all
from chalicelib import billing
from chalicelib.credits.balances import Credits
from chalicelib.platform.models import Account, LedgerEntry, TopUp

ON = {"enabled": True, "threshold": 45, "pack": "Basic", "monthly_limit": 2}


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every test here delivers events signed with WEBHOOK_SECRET."""


class TopUpFlow(Flow):
    def __init__(self, client, sandbox, user, stream):
        super().__init__(client, sandbox, user)
        self.stream = stream
        self.seen = len(self.events())

    def deliver_new(self, times=1):
        """Delivers the events Stripe made since the last call."""
        events = self.events(after=self.seen)
        self.seen += len(events)
        for _ in range(times):
            deliver_all(self.client, events)
        return events

    def save_card(self):
        status, body = call(self.client, "POST", "/payment-method", self.user.headers)
        assert status == 200, body
        self.sandbox.complete_checkout(body["url"].rsplit("/", 1)[1])
        self.deliver_new()

    def turn_on(self, **changes):
        status, body = call(self.client, "PUT", "/auto-top-up", self.user.headers, dict(ON, **changes))
        assert status == 200, body
        return body

    def spend(self, times, concurrently=1):
        def one(_):
            return self.client.http.post("/test", headers={"x-api-key": self.key}).status_code
        with concurrent.futures.ThreadPoolExecutor(concurrently) as pool:
            return list(pool.map(one, range(times)))

    def adjust_to(self, balance):
        """The balance set by one adjustment, for a test that is not about how
        it came there (calls spending it down one credit at a time are slow)."""
        credits = int(Account.get(self.user.id, consistent_read=True).credits)
        Credits().add_purchased(self.user.id, balance - credits, "adjustment:to-%d-%d" % (balance, len(self.events())),
                                "adjustment", "test adjustment")

    def settle(self):
        """What happens after the calls: the stream (crossings, emails), Stripe's events, the stream again."""
        self.stream.drain()
        events = self.deliver_new()
        self.stream.drain()
        return events

    def view(self):
        return call(self.client, "GET", "/auto-top-up", self.user.headers)[1]

    def top_up_entries(self):
        return [e for e in LedgerEntry.query(self.user.id, consistent_read=True) if e.kind == "top_up"]

    def intents(self):
        return [e["data"]["object"]["id"] for e in self.events() if e["type"] == "payment_intent.created"]

    def subjects(self):
        return [message["subject"] for message in inbox_of(self.user)]


@pytest.fixture
def top_up(client, stripe_sandbox, user, api_key, outbox_stream):
    flow = TopUpFlow(client, stripe_sandbox, user, outbox_stream)
    flow.key = api_key
    return flow


def test_without_a_saved_card_turning_it_on_is_409(client, user, top_up):
    assert top_up.view() == {"enabled": False, "threshold": 0, "pack": "Basic", "monthly_limit": 1, "status": "off",
                             "action_url": None, "this_month": 0, "last_attempt": None, "payment_method": None}
    status, body = call(client, "PUT", "/auto-top-up", user.headers, ON)
    assert (status, body["error"]["code"]) == (409, "payment_method_required")
    status, body = call(client, "PUT", "/auto-top-up", user.headers, dict(ON, enabled=False))
    assert status == 200 and body["status"] == "off"


def test_bad_bodies_are_400(client, user, top_up):
    for body in ({}, dict(ON, pack="Free"), dict(ON, monthly_limit=0), dict(ON, monthly_limit=21),
                 dict(ON, threshold=-1), dict(ON, enabled="yes"), dict(ON, extra=1), dict(ON, threshold=2.5)):
        status, answer = call(client, "PUT", "/auto-top-up", user.headers, body)
        assert (status, answer["error"]["code"]) == (400, "invalid_auto_top_up"), body


def test_a_saved_card_becomes_the_customers_default_and_shows(top_up, stripe_sandbox):
    top_up.save_card()
    customer = billing.stripe().v1.customers.retrieve(top_up.customer_id)
    assert customer.invoice_settings.default_payment_method
    assert top_up.view()["payment_method"] == {"brand": "visa", "last4": "4242"}
    body = top_up.turn_on()
    assert (body["enabled"], body["status"], body["threshold"]) == (True, "active", 45)
    assert int(Account.get(top_up.user.id, consistent_read=True).thresholds.top_up) == 45


def test_twenty_concurrent_calls_across_the_threshold_make_one_alert_one_top_up_one_grant(top_up, client):
    top_up.save_card()
    top_up.turn_on()
    call(client, "PUT", "/alerts", top_up.user.headers, {"low_balance": 45})
    assert top_up.spend(20, concurrently=20) == [200] * 20
    events = top_up.settle()
    assert len(top_up.intents()) == 1
    assert "payment_intent.succeeded" in [e["type"] for e in events]
    [entry] = top_up.top_up_entries()
    assert (int(entry.credits), entry.reference) == (1000, top_up.intents()[0])
    account = Account.get(top_up.user.id, consistent_read=True)
    assert (int(account.credits), account.purchased_balance) == (1030, 1000)
    subjects = top_up.subjects()
    assert sum("running low" in s for s in subjects) == 1
    assert sum("Automatic top-up: 1,000 credits added" in s for s in subjects) == 1, subjects
    view = top_up.view()
    assert (view["status"], view["this_month"], view["last_attempt"]["outcome"]) == ("active", 1, "succeeded")


def test_the_success_delivered_twenty_times_at_once_grants_once(top_up, client):
    top_up.save_card()
    top_up.turn_on()
    top_up.spend(6)
    top_up.stream.drain()
    events = [e for e in top_up.events(after=top_up.seen) if e["type"] == "payment_intent.succeeded"]
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _: deliver(client, events[0])[0], range(20)))
    assert statuses == [200] * 20
    top_up.stream.drain()
    assert len(top_up.top_up_entries()) == 1
    assert int(Account.get(top_up.user.id, consistent_read=True).credits) == 1044
    assert top_up.view()["this_month"] == 1
    assert sum("credits added" in s for s in top_up.subjects()) == 1


def lift_and_cross(top_up, to=50):
    """Credits lift the balance back above the threshold; calls cross it again."""
    balance = int(Account.get(top_up.user.id, consistent_read=True).credits)
    Credits().add_purchased(top_up.user.id, to - balance, "adjustment:lift-%d" % len(top_up.events()),
                            "adjustment", "test lift")
    top_up.spend(to - 44)
    return top_up.settle()


def test_a_decline_is_tried_again_at_the_next_crossing_and_three_in_a_row_turn_it_off(top_up, stripe_sandbox):
    top_up.save_card()
    top_up.turn_on()
    stripe_sandbox.set_card_behavior(top_up.customer_id, "decline")
    top_up.spend(6)
    top_up.settle()
    view = top_up.view()
    assert (view["status"], view["last_attempt"]["outcome"], view["enabled"]) == ("active", "declined", True)
    assert "Credits: Automatic top-up failed" in top_up.subjects()
    lift_and_cross(top_up)
    assert top_up.view()["enabled"] is True
    lift_and_cross(top_up)
    view = top_up.view()
    assert (view["enabled"], view["status"]) == (False, "off_failures")
    assert Account.get(top_up.user.id, consistent_read=True).thresholds.top_up is None
    assert len(top_up.intents()) == 3 and top_up.top_up_entries() == []
    assert top_up.subjects().count("Credits: Automatic top-up is off") == 1
    lift_and_cross(top_up)  # off: no fourth attempt
    assert len(top_up.intents()) == 3
    top_up.turn_on()  # on again: a fresh start
    assert TopUp.get(top_up.user.id, "topup").failures == 0


def test_a_payment_the_bank_wants_confirmed_pauses_until_the_customer_pays_once(top_up, stripe_sandbox, client):
    top_up.save_card()
    top_up.turn_on()
    stripe_sandbox.set_card_behavior(top_up.customer_id, "require_authentication")
    top_up.spend(6)
    top_up.settle()
    view = top_up.view()
    assert view["status"] == "paused_action_required" and "/authenticate/" in view["action_url"]
    [email] = [m for m in inbox_of(top_up.user) if "Confirm your automatic top-up" in m["subject"]]
    assert view["action_url"] in email["text"]
    lift_and_cross(top_up)  # paused: another crossing charges nothing more
    assert len(top_up.intents()) == 1
    intent = top_up.intents()[0]
    stripe_sandbox.authenticate_payment_intent(intent)
    top_up.settle()
    top_up.deliver_new(times=3)
    assert [e.reference for e in top_up.top_up_entries()] == [intent]
    view = top_up.view()
    assert (view["status"], view["action_url"], view["this_month"]) == ("active", None, 1)


def test_a_failed_authentication_counts_as_a_failure(top_up, stripe_sandbox):
    top_up.save_card()
    top_up.turn_on()
    stripe_sandbox.set_card_behavior(top_up.customer_id, "require_authentication")
    top_up.spend(6)
    top_up.settle()
    stripe_sandbox.fail_payment_intent_authentication(top_up.intents()[0])
    top_up.settle()
    view = top_up.view()
    assert (view["status"], view["last_attempt"]["outcome"]) == ("active", "authentication_failed")
    assert TopUp.get(top_up.user.id, "topup").failures == 1


def test_the_monthly_limit_stops_top_ups_with_one_email(top_up):
    top_up.save_card()
    top_up.turn_on(monthly_limit=1)
    top_up.spend(6)
    top_up.settle()
    assert top_up.view()["status"] == "limit_reached"
    top_up.adjust_to(50)
    top_up.spend(50 - 44)  # down to 44 again: crosses
    top_up.settle()
    assert len(top_up.intents()) == 1
    assert sum(s.startswith("Credits: Automatic top-up limit reached") for s in top_up.subjects()) == 1


def test_a_refund_of_a_top_up_takes_its_credits_back_from_purchased(top_up):
    top_up.save_card()
    top_up.turn_on()
    top_up.spend(6)
    top_up.settle()
    intent = billing.stripe().v1.payment_intents.retrieve(top_up.intents()[0])
    top_up.refund(intent.latest_charge, amount=intent.amount // 2)
    top_up.deliver_new()
    account = Account.get(top_up.user.id, consistent_read=True)
    assert (int(account.credits), account.purchased_balance) == (544, 500)
    [entry] = [e for e in LedgerEntry.query(top_up.user.id, consistent_read=True) if e.kind == "refund"]
    assert int(entry.credits) == -500


WRITES = ("PutItem", "UpdateItem", "TransactWriteItems", "DeleteItem")


def converge(top_up, attempts=8):
    """What Stripe's retries and the stream's redelivery do: run the stream and
    deliver every event until each is accepted."""
    pending = []
    for _ in range(attempts):
        top_up.stream.drain()
        pending += top_up.events(after=top_up.seen)
        top_up.seen = len(top_up.events())
        pending = [event for event in pending if deliver(top_up.client, event)[0] != 200]
        top_up.stream.drain()
        if not pending:
            return
    raise AssertionError("events still refused: %s" % [event["type"] for event in pending])


@pytest.mark.parametrize("failing_write", range(1, 16))
def test_a_dynamodb_failure_at_each_write_of_the_top_up_path_converges(top_up, failing_write):
    """The path after the card is saved and the setting stored: the crossing
    call, the crossing's stream work (the alert email, arming, noting the
    intent), the grant, the state, the emails. The n-th write fails
    (InternalServerError, past the SDK's retries); the stream's redelivery and
    Stripe's retries then finish it, with one top-up and one grant."""
    from emulator_faults import intercept_dynamodb, internal_server_error

    top_up.save_card()
    top_up.turn_on()
    call(top_up.client, "PUT", "/alerts", top_up.user.headers, {"low_balance": 45})
    seen, failed = [], []

    def intercept(operation, handler):
        if operation not in WRITES or (operation == "PutItem" and "crossing:" in str(handler.body)):
            return None  # a crossing record that cannot be written is lost: counted, not retried (alerts.py)
        seen.append(operation)
        if len(seen) >= failing_write and len(failed) < 4:  # 4 in a row: beyond pynamodb's 3 retries
            failed.append(operation)
            return internal_server_error()
        return None

    top_up.spend(5)  # 45: the next call crosses
    with intercept_dynamodb(intercept):
        while top_up.spend(1) != [200]:
            pass  # the client retries a call that failed
        converge(top_up)
    if len(seen) < failing_write:
        pytest.skip("the path has fewer writes")
    assert len(top_up.intents()) == 1
    [entry] = top_up.top_up_entries()
    account = Account.get(top_up.user.id, consistent_read=True)
    assert (int(account.credits), account.purchased_balance) == (1044, 1000)
    view = top_up.view()
    assert (view["this_month"], view["status"]) == (1, "active")
    subjects = top_up.subjects()
    assert sum("running low" in s for s in subjects) == 1 and sum("credits added" in s for s in subjects) == 1


def test_the_operators_account_page_shows_the_setting_and_its_history(top_up, client, operator):
    top_up.save_card()
    top_up.turn_on()
    top_up.spend(6)
    top_up.settle()
    status, body = call(client, "GET", "/admin/accounts/%s" % top_up.user.id, operator.headers)
    assert status == 200
    account = body["account"]
    assert (account["auto_top_up"]["enabled"], account["auto_top_up"]["this_month"]) == (True, 1)
    assert account["low_balance_alert"] == {"low_balance": None, "default": 5}
    assert [e["kind"] for e in account["ledger"]["entries"]].count("top_up") == 1


def test_turning_a_paused_top_up_off_and_on_frees_the_next_crossing(top_up, stripe_sandbox):
    top_up.save_card()
    top_up.turn_on()
    stripe_sandbox.set_card_behavior(top_up.customer_id, "require_authentication")
    top_up.spend(6)
    top_up.settle()
    assert top_up.view()["status"] == "paused_action_required"
    assert top_up.turn_on(enabled=False)["status"] == "off"
    stripe_sandbox.set_card_behavior(top_up.customer_id, "succeed")
    assert top_up.turn_on()["status"] == "active"
    lift_and_cross(top_up)
    assert len(top_up.intents()) == 2 and len(top_up.top_up_entries()) == 1


def test_a_pack_bought_with_save_my_card_saves_it_for_top_ups(top_up, client):
    status, body = call(client, "POST", "/checkout", top_up.user.headers,
                        {"plan": "Basic", "subscribe": False, "save_card": True})
    assert status == 200, body
    top_up.sandbox.complete_checkout(body["session_id"])
    top_up.deliver_new()
    assert top_up.view()["payment_method"]["brand"] == "visa"
    assert top_up.turn_on(threshold=1045)["enabled"] is True
    assert len(top_up.top_up_entries()) == 0
    top_up.spend(6)  # 1050 -> 1044 crosses 1045
    top_up.settle()
    assert len(top_up.top_up_entries()) == 1


def test_a_pack_bought_without_saving_the_card_saves_nothing(top_up, client):
    status, body = call(client, "POST", "/checkout", top_up.user.headers, {"plan": "Basic", "subscribe": False})
    top_up.sandbox.complete_checkout(body["session_id"])
    top_up.deliver_new()
    assert top_up.view()["payment_method"] is None
    status, body = call(client, "POST", "/checkout", top_up.user.headers,
                        {"plan": "Basic", "subscribe": False, "save_card": "yes"})
    assert (status, body["error"]["code"]) == (400, "invalid_save_card")
