"""Shared by the webhook tests: run real flows through the app and the Stripe
sandbox, collect the events Stripe would send, and deliver them signed."""
import hashlib
import hmac
import json
import time

import requests
import stripe

from chalicelib import billing
from chalicelib.platform.models import Account, LedgerEntry

WEBHOOK_SECRET = "whsec_test_webhooks_0123456789"


def signature(payload, secret=WEBHOOK_SECRET, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), ("%d.%s" % (timestamp, payload)).encode(), hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (timestamp, mac)


def deliver(client, event, secret=WEBHOOK_SECRET, timestamp=None, header=None):
    payload = event if isinstance(event, str) else json.dumps(event)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    sig = header if header is not None else signature(payload, secret, timestamp)
    if sig:
        headers["Stripe-Signature"] = sig
    response = client.http.post("/stripe/webhook", headers=headers, body=payload)
    body = json.loads(response.body) if response.body else None
    return response.status_code, body


def deliver_all(client, events):
    """Delivers each event once, in order; each must be accepted."""
    for event in events:
        status, body = deliver(client, event)
        assert status == 200, (event["type"], status, body)


def stripe_event(event_type, obj, event_id="evt_test_by_hand"):
    """An event as Stripe sends it at the API version the SDK pins, for events
    a test builds by hand (the sandbox makes the others)."""
    return {"id": event_id, "object": "event", "api_version": stripe.api_version, "created": int(time.time()),
            "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": event_type}


def next_second():
    """Stripe's `created` has whole seconds: start the next subscription in a
    later second, as any two real checkouts are."""
    time.sleep(1.01 - (time.time() % 1))


class Flow:
    """One user's purchases, made through the app's routes and the sandbox."""

    def __init__(self, client, sandbox, user):
        self.client = client
        self.sandbox = sandbox
        self.user = user
        response = client.http.get("/user", headers=user.headers)
        assert response.status_code == 200, response.body
        self.customer_id = Account.get(user.id, consistent_read=True).stripe_customer_id
        assert self.customer_id
        self.subscriptions = []

    def checkout(self, plan, subscribe):
        if subscribe and self.subscriptions:
            next_second()
        response = self.client.http.post(
            "/checkout", headers=dict(self.user.headers, **{"Content-Type": "application/json"}),
            body=json.dumps({"plan": plan, "subscribe": subscribe}))
        assert response.status_code == 200, response.body
        session = self.sandbox.complete_checkout(json.loads(response.body)["session_id"])
        if subscribe:
            self.subscriptions.append(session["subscription"])
        return session

    def checkout_elsewhere(self, plan):
        """A subscription checkout made straight with Stripe (say, a tab
        opened before the first subscription): the app's /checkout would
        offer a switch instead."""
        next_second()
        price = billing.stripe().v1.prices.list(params={"lookup_keys": ["%s_monthly" % plan.lower()]}).data[0]
        session = billing.stripe().v1.checkout.sessions.create(params={
            "mode": "subscription", "customer": self.customer_id, "client_reference_id": self.user.id,
            "line_items": [{"price": price.id, "quantity": 1}], "success_url": "http://app.test/ok",
            "metadata": {"user_id": self.user.id, "plan": plan},
            "subscription_data": {"metadata": {"user_id": self.user.id, "plan": plan}}})
        session = self.sandbox.complete_checkout(session.id)
        self.subscriptions.append(session["subscription"])
        return session

    def renew(self, subscription_id=None):
        return self.sandbox.renew_subscription(subscription_id or self.subscriptions[-1])

    def fail_payment(self, subscription_id=None):
        return self.sandbox.fail_payment(subscription_id or self.subscriptions[-1])

    def charge_of(self, session=None, invoice=None):
        """The charge that paid a pack's Checkout Session or an invoice."""
        if session is not None:
            intent = self.sandbox.get(self.sandbox.get(session["id"])["payment_intent"])
            return intent["latest_charge"]
        stripe_client = billing.stripe()
        payment = stripe_client.v1.invoice_payments.list(params={"invoice": invoice}).data[0]
        return stripe_client.v1.payment_intents.retrieve(payment.payment.payment_intent).latest_charge

    def refund(self, charge, amount=None):
        params = {"charge": charge}
        if amount is not None:
            params["amount"] = amount
        return billing.stripe().v1.refunds.create(params=params)

    def cancel(self, subscription_id=None):
        response = requests.delete("%s/v1/subscriptions/%s" % (self.sandbox.url, subscription_id or self.subscriptions[-1]),
                                   headers={"Authorization": "Bearer sk_test_local"}, timeout=10)
        assert response.status_code == 200, response.text

    def events(self, after=0):
        """This customer's events, oldest first, skipping the first `after`."""
        return self.sandbox.events(customer=self.customer_id)[after:]

    def state(self):
        """What the account looks like, in comparable form."""
        account = Account.get(self.user.id, consistent_read=True)
        subscription = account.subscription
        return {
            "plan": account.plan,
            "plan_credits": account.plan_balance,
            "purchased_credits": account.purchased_balance,
            "subscription": None if subscription is None else (subscription.id, subscription.plan, subscription.status),
            "ledger": sorted((e.key, e.kind, int(e.credits))
                             for e in LedgerEntry.query(self.user.id, consistent_read=True) if e.kind),
        }
