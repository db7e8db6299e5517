"""POST /checkout, /stop-subscriptions and /billing-portal against the Stripe
sandbox (products.json synced into it) and the moto tables. Subscriptions are
made by completing checkout sessions through the sandbox's test controls; the
account's subscription record is then written here, as the webhook would."""
import http.server
import json
import threading

import pytest
import requests

from chalicelib import billing, credits

from chalicelib.platform import reset_services
from chalicelib.billing.checkout import checkout_idempotency_key
from chalicelib.platform.models import Account, LedgerEntry, SubscriptionAttribute

SUCCESS_URL = "http://localhost:5173/checkout/success?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://localhost:5173/checkout/cancel"


@pytest.fixture
def stripe(stripe_sandbox, stripe_products):
    return billing.stripe()


def call(client, method, path, user=None, body=None, headers=None):
    headers = dict(headers or {})
    if user is not None:
        headers.update(user.headers)
    if body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    if body is not None:
        headers.setdefault("Content-Type", "application/json")
    response = client.http.request(method, path, headers=headers, body=body or b"")
    return response.status_code, json.loads(response.body) if response.body else None


def checkout(client, user, plan, subscribe, headers=None):
    return call(client, "POST", "/checkout", user, {"plan": plan, "subscribe": subscribe}, headers)


def account(user):
    return Account.get(user.id, consistent_read=True)


def complete(sandbox, session_id):
    response = requests.post("%s/_sandbox/checkout/%s/complete" % (sandbox.url, session_id), timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def subscribe(client, sandbox, user, plan):
    """A paid subscription in Stripe, recorded on the account the way the
    webhook records it; returns the Stripe subscription id."""
    status, body = checkout(client, user, plan, True)
    assert status == 200, body
    subscription_id = complete(sandbox, body["session_id"])["subscription"]
    record = account(user)
    record.plan = plan
    record.subscription = SubscriptionAttribute(id=subscription_id, plan=plan, status="active")
    record.save()
    return subscription_id


def free_entries(user):
    return [entry for entry in LedgerEntry.query(user.id, consistent_read=True) if entry.kind == "free"]


# Checkout --------------------------------------------------------------------

def test_subscription_checkout_creates_the_right_session(client, user, stripe, stripe_sandbox):
    status, body = checkout(client, user, "Basic", True)
    assert status == 200, body
    assert body["url"].startswith(stripe_sandbox.url + "/checkout/")

    session = stripe.v1.checkout.sessions.retrieve(body["session_id"])
    customer_id = account(user).stripe_customer_id
    assert customer_id and session.customer == customer_id
    assert session.mode == "subscription"
    assert session.client_reference_id == user.id
    assert session.metadata.to_dict() == {"user_id": user.id, "plan": "Basic", "kind": "monthly"}
    assert (session.success_url, session.cancel_url) == (SUCCESS_URL, CANCEL_URL)
    items = stripe.v1.checkout.sessions.line_items.list(body["session_id"]).data
    assert [(item.price.lookup_key, item.quantity) for item in items] == [("basic_monthly", 1)]

    subscription = stripe.v1.subscriptions.retrieve(complete(stripe_sandbox, session.id)["subscription"])
    assert subscription.customer == customer_id
    assert subscription.metadata.to_dict() == {"user_id": user.id, "plan": "Basic", "kind": "monthly"}


def test_one_off_checkout_creates_a_payment_session(client, user, stripe, stripe_sandbox):
    status, body = checkout(client, user, "Power", False)
    assert status == 200, body

    session = stripe.v1.checkout.sessions.retrieve(body["session_id"])
    assert session.mode == "payment"
    assert session.customer == account(user).stripe_customer_id
    assert session.client_reference_id == user.id
    assert session.metadata.to_dict() == {"user_id": user.id, "plan": "Power", "kind": "one_off"}
    items = stripe.v1.checkout.sessions.line_items.list(session.id).data
    assert [(item.price.lookup_key, item.price.unit_amount) for item in items] == [("power_one_off", 5000)]

    intent = stripe.v1.payment_intents.retrieve(complete(stripe_sandbox, session.id)["payment_intent"])
    assert intent.metadata.to_dict() == {"user_id": user.id, "plan": "Power", "kind": "one_off"}


def test_checkout_urls_come_from_settings(client, user, stripe, monkeypatch):
    monkeypatch.setenv("CHECKOUT_SUCCESS_URL", "https://shop.example/ok?s={CHECKOUT_SESSION_ID}")
    monkeypatch.setenv("CHECKOUT_CANCEL_URL", "https://shop.example/no")
    status, body = checkout(client, user, "Basic", False)
    assert status == 200, body
    session = stripe.v1.checkout.sessions.retrieve(body["session_id"])
    assert (session.success_url, session.cancel_url) == (
        "https://shop.example/ok?s={CHECKOUT_SESSION_ID}", "https://shop.example/no")


def test_each_account_gets_one_stripe_customer(client, new_user, stripe):
    user = new_user()
    status, _ = call(client, "GET", "/user", user)        # provisioning creates it
    assert status == 200
    customer_id = account(user).stripe_customer_id
    customer = stripe.v1.customers.retrieve(customer_id)
    assert customer.email == user.email and customer.metadata["user_id"] == user.id

    for plan, subscribe in (("Basic", True), ("Basic", False), ("Power", True)):
        status, body = checkout(client, user, plan, subscribe)
        assert status == 200, body
        assert stripe.v1.checkout.sessions.retrieve(body["session_id"]).customer == customer_id
    assert account(user).stripe_customer_id == customer_id
    assert [c.id for c in stripe.v1.customers.list(params={"email": user.email}).data] == [customer_id]


def test_a_retried_checkout_returns_the_same_open_session(client, user, stripe, stripe_sandbox):
    first = checkout(client, user, "Basic", True, {"Idempotency-Key": "buy-1"})
    again = checkout(client, user, "Basic", True, {"Idempotency-Key": "buy-1"})
    later = checkout(client, user, "Basic", True, {"Idempotency-Key": "buy-2"})
    assert first[0] == again[0] == later[0] == 200
    assert first[1]["session_id"] == again[1]["session_id"] != later[1]["session_id"]

    complete(stripe_sandbox, first[1]["session_id"])          # paid: buying again is new
    after = checkout(client, user, "Basic", False, {"Idempotency-Key": "buy-1"})
    paid = checkout(client, user, "Basic", True, {"Idempotency-Key": "buy-1"})
    assert paid[0] == 200 and paid[1]["session_id"] not in (first[1]["session_id"], after[1]["session_id"])
    assert stripe.v1.checkout.sessions.retrieve(paid[1]["session_id"]).status == "open"
    assert checkout(client, user, "Basic", True, {"Idempotency-Key": "buy-1"})[1] == paid[1]

    status, body = checkout(client, user, "Basic", True, {"Idempotency-Key": "not a key!"})
    assert (status, body["error"]["code"]) == (400, "invalid_idempotency_key")


def test_checkout_idempotency_key_without_a_client_key_is_a_short_window():
    key = checkout_idempotency_key("u1", "Basic", "payment", now=960)
    assert key == checkout_idempotency_key("u1", "Basic", "payment", now=1019)
    assert key != checkout_idempotency_key("u1", "Basic", "payment", now=1020)
    assert key != checkout_idempotency_key("u1", "Basic", "subscription", now=960)
    assert key != checkout_idempotency_key("u2", "Basic", "payment", now=960)
    assert checkout_idempotency_key("u1", "Basic", "payment", "k1") != \
        checkout_idempotency_key("u1", "Power", "payment", "k1")


@pytest.mark.parametrize("body, code", [
    ({"plan": "Free", "subscribe": True}, "invalid_plan"),
    ({"plan": "Free", "subscribe": False}, "invalid_plan"),
    ({"plan": "Gold", "subscribe": True}, "invalid_plan"),
    ({"plan": "basic", "subscribe": True}, "invalid_plan"),
    ({"plan": 3, "subscribe": True}, "invalid_plan"),
    ({"subscribe": True}, "invalid_plan"),
    ({"plan": "Basic"}, "invalid_subscribe"),
    ({"plan": "Basic", "subscribe": "true"}, "invalid_subscribe"),
    ({"plan": "Basic", "subscribe": 1}, "invalid_subscribe"),
    ({"plan": "Basic", "subscribe": None}, "invalid_subscribe"),
    ('{"plan": "Basic", "subscribe": tru', "invalid_json"),
    ('["Basic", true]', "invalid_json"),
    ("", "invalid_json"),
], ids=["free-subscribe", "free-one-off", "unknown", "wrong-case", "plan-not-text", "no-plan",
        "no-subscribe", "subscribe-text", "subscribe-number", "subscribe-null", "malformed-json",
        "json-array", "empty-body"])
def test_checkout_refuses_a_bad_request(client, user, stripe, body, code):
    status, answer = call(client, "POST", "/checkout", user, body)
    assert status == 400
    assert answer["error"]["code"] == code and answer["error"]["message"]


def test_checkout_needs_a_signed_in_user(client, stripe):
    status, body = call(client, "POST", "/checkout", body={"plan": "Basic", "subscribe": True})
    assert status == 401 and "error" in body


def test_subscribing_again_to_the_current_plan_is_a_conflict(client, user, stripe, stripe_sandbox):
    subscribe(client, stripe_sandbox, user, "Basic")

    status, body = checkout(client, user, "Basic", True)
    assert (status, body["error"]["code"]) == (409, "already_subscribed")
    assert checkout(client, user, "Basic", False)[0] == 200      # a one-off pack is fine
    status, body = checkout(client, user, "Power", True)         # another plan is a switch, not a second one
    assert (status, body["error"]["code"]) == (409, "switch_plan")

    for status_name, expected in (("past_due", 409), ("trialing", 409), ("canceled", 200)):
        record = account(user)
        record.subscription.status = status_name
        record.save()
        assert checkout(client, user, "Basic", True)[0] == expected, status_name


# Back to Free ----------------------------------------------------------------

def test_stop_without_subscriptions_changes_nothing(client, user, stripe):
    assert call(client, "GET", "/user", user)[0] == 200
    before = account(user)
    Account(user.id).update(actions=[Account.credits.set(7)])

    status, body = call(client, "POST", "/stop-subscriptions", user)
    assert status == 200, body
    assert body["user"]["plan"] == "Free" and body["user"]["subscription"] is None
    assert body["user"]["credits"] == 7                        # no free top-up
    assert free_entries(user) == []
    assert account(user).stripe_customer_id == before.stripe_customer_id


def test_stop_cancels_the_subscription_and_returns_to_free(client, user, stripe, stripe_sandbox):
    subscription_id = subscribe(client, stripe_sandbox, user, "Basic")
    Account(user.id).update(actions=[Account.credits.set(1030), Account.purchased_credits.set(30)])

    status, body = call(client, "POST", "/stop-subscriptions", user)
    assert status == 200, body
    assert body["user"]["plan"] == "Free" and body["user"]["subscription"] is None
    assert (body["user"]["plan_credits"], body["user"]["purchased_credits"]) == (50, 30)
    assert stripe.v1.subscriptions.retrieve(subscription_id).status == "canceled"
    assert [(e.key, int(e.credits)) for e in free_entries(user)] == [
        ("free:%s:%s" % (user.id, subscription_id), 50)]

    # Twice is harmless: nothing left to cancel, no second allowance.
    Account(user.id).update(actions=[Account.credits.set(40), Account.purchased_credits.set(30)])
    status, again = call(client, "POST", "/stop-subscriptions", user)
    assert status == 200, again
    assert again["user"]["credits"] == 40
    assert len(free_entries(user)) == 1


def test_stop_cancels_every_subscription(client, user, stripe, stripe_sandbox):
    _, other_tab = checkout(client, user, "Power", True)  # opened before the first subscription was paid
    basic = subscribe(client, stripe_sandbox, user, "Basic")
    power = complete(stripe_sandbox, other_tab["session_id"])["subscription"]
    record = account(user)
    record.plan, record.subscription = "Power", SubscriptionAttribute(id=power, plan="Power", status="active")
    record.save()

    status, body = call(client, "POST", "/stop-subscriptions", user)
    assert status == 200, body
    assert body["user"]["plan"] == "Free"
    assert [stripe.v1.subscriptions.retrieve(s).status for s in (basic, power)] == ["canceled", "canceled"]
    live = stripe.v1.subscriptions.list(params={"customer": account(user).stripe_customer_id}).data
    assert live == []
    assert [e.key for e in free_entries(user)] == ["free:%s:%s" % (user.id, power)]


def test_a_later_second_return_to_free_is_granted(client, user, stripe, stripe_sandbox):
    first = subscribe(client, stripe_sandbox, user, "Basic")
    assert call(client, "POST", "/stop-subscriptions", user)[0] == 200
    second = subscribe(client, stripe_sandbox, user, "Basic")

    status, body = call(client, "POST", "/stop-subscriptions", user)
    assert status == 200 and body["user"]["plan"] == "Free"
    assert sorted(e.key for e in free_entries(user)) == sorted(
        "free:%s:%s" % (user.id, s) for s in (first, second))


def test_stop_restarts_the_free_refill_once(client, user, stripe, stripe_sandbox, monkeypatch):
    restarted = []

    class Refills:
        def restart(self, account):
            restarted.append((account.user_id, account.plan))
    monkeypatch.setattr(credits, "refills", lambda: Refills())

    subscribe(client, stripe_sandbox, user, "Power")
    assert call(client, "POST", "/stop-subscriptions", user)[0] == 200
    assert call(client, "POST", "/stop-subscriptions", user)[0] == 200
    assert restarted == [(user.id, "Free")]


def test_stop_skips_a_subscription_cancelled_meanwhile(client, user, stripe, stripe_sandbox):
    subscription_id = subscribe(client, stripe_sandbox, user, "Basic")
    stripe.v1.subscriptions.cancel(subscription_id)           # e.g. in the billing portal

    status, body = call(client, "POST", "/stop-subscriptions", user)
    assert status == 200, body
    assert body["user"]["plan"] == "Free"


# Billing portal --------------------------------------------------------------

def test_billing_portal_opens_a_session_for_the_customer(client, user, stripe, stripe_sandbox):
    status, body = call(client, "POST", "/billing-portal", user)
    assert status == 200, body
    assert body["url"].startswith(stripe_sandbox.url + "/billing_portal/")
    session = stripe_sandbox.get(body["url"].rsplit("/", 1)[1])
    assert session["customer"] == account(user).stripe_customer_id
    assert session["return_url"] == "http://localhost:5173/account"


# Stripe failures -------------------------------------------------------------

class FailingStripe(http.server.BaseHTTPRequestHandler):
    """Answers every request with a Stripe-shaped 500."""

    def _fail(self):
        body = json.dumps({"error": {"type": "api_error", "message": "Something broke."}}).encode()
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _fail

    def log_message(self, *args):
        pass


@pytest.fixture(params=["unreachable", "answering-500"])
def stripe_down(request, stripe, monkeypatch):
    """Stripe unreachable (nothing listening) or answering 500, for the app."""
    from scripts.devstack.ports import free_port
    server = None
    if request.param == "unreachable":
        url = "http://127.0.0.1:%d" % free_port()
    else:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FailingStripe)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = "http://127.0.0.1:%d" % server.server_address[1]

    def go_down():
        monkeypatch.setenv("STRIPE_API_BASE", url)
        monkeypatch.setenv("STRIPE_MAX_NETWORK_RETRIES", "0")
        reset_services()
    yield go_down
    reset_services()
    if server is not None:
        server.shutdown()
        server.server_close()


def snapshot(user):
    record = account(user)
    return (record.plan, record.stripe_customer_id, int(record.credits), int(record.purchased_credits),
            record.subscription.id if record.subscription else None,
            sorted(entry.key for entry in LedgerEntry.query(user.id, consistent_read=True)))


def test_checkout_answers_502_when_stripe_fails(client, new_user, stripe, stripe_down):
    stripe_down()
    user = new_user()
    status, _ = call(client, "GET", "/user", user)           # the account still opens
    assert status == 200
    before = snapshot(user)
    assert before[1] is None

    status, body = checkout(client, user, "Basic", True)
    assert status == 502
    assert body["error"]["code"] in ("stripe_unavailable", "stripe_error")
    assert "nothing was changed" in body["error"]["message"]
    assert snapshot(user) == before


def test_stop_answers_502_when_stripe_fails_and_keeps_the_plan(client, user, stripe, stripe_sandbox,
                                                               stripe_down):
    subscribe(client, stripe_sandbox, user, "Basic")
    before = snapshot(user)
    stripe_down()

    status, body = call(client, "POST", "/stop-subscriptions", user)
    assert status == 502 and body["error"]["code"] in ("stripe_unavailable", "stripe_error")
    assert snapshot(user) == before
    assert before[0] == "Basic"


def test_billing_portal_answers_502_when_stripe_fails(client, user, stripe, stripe_down):
    assert call(client, "GET", "/user", user)[0] == 200
    stripe_down()
    status, body = call(client, "POST", "/billing-portal", user)
    assert status == 502 and body["error"]["code"] in ("stripe_unavailable", "stripe_error")


def test_billing_routes_say_so_when_stripe_is_not_configured(client, user, stripe, monkeypatch):
    monkeypatch.delenv("STRIPE_SECRET_KEY")
    reset_services()
    try:
        for path, body in (("/checkout", {"plan": "Basic", "subscribe": True}),
                           ("/stop-subscriptions", None), ("/billing-portal", None)):
            status, answer = call(client, "POST", path, user, body)
            assert (status, answer["error"]["code"]) == (503, "billing_unavailable"), path
    finally:
        monkeypatch.undo()
        reset_services()
