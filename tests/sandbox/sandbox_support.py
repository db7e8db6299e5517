"""Shared by the Stripe sandbox tests: a webhook receiver standing in for the
app's /stripe/webhook endpoint, and short ways to make prices, sessions and
subscriptions through the official SDK."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
import stripe

API_KEY = "sk_test_sandbox_123456"


class Receiver:
    """A webhook endpoint recording every delivery; ``statuses`` queues non-200
    answers; ``hold()`` keeps each delivery waiting until ``release()``."""

    HOLD_LIMIT_SECONDS = 10  # a test that forgets release() still ends

    def __init__(self):
        self.requests = []
        self.statuses = []
        self.released = threading.Event()
        self.released.set()
        self.arrived = threading.Event()  # a delivery has reached the endpoint
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe/webhook"

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.arrived.set()
                receiver.released.wait(receiver.HOLD_LIMIT_SECONDS)
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.requests.append({"body": body, "headers": dict(self.headers),
                                              "path": self.path, "status": status})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def hold(self):
        self.arrived.clear()
        self.released.clear()

    def release(self):
        self.released.set()

    def clear(self):
        with self.lock:
            self.requests.clear()
            self.statuses.clear()
        self.release()

    def verified(self, secret):
        """Events from successful deliveries, each checked the way the app checks them."""
        return [stripe.Webhook.construct_event(r["body"], r["headers"]["Stripe-Signature"],
                                               secret)
                for r in self.requests if r["status"] == 200]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def make_price(client, *, name="Pro", amount=500, currency="gbp", interval="month", **extra):
    product = client.v1.products.create(params={"name": name})
    params = {"product": product.id, "currency": currency, "unit_amount": amount, **extra}
    if interval:
        params["recurring"] = {"interval": interval}
    return client.v1.prices.create(params=params)


def make_session(client, price, mode, **extra):
    params = {"mode": mode, "line_items": [{"price": price.id, "quantity": 1}],
              "success_url": "http://app.test/done?session={CHECKOUT_SESSION_ID}",
              "cancel_url": "http://app.test/pricing", **extra}
    return client.v1.checkout.sessions.create(params=params)


def subscribe(client, sandbox, price=None, **extra):
    """A customer with an active subscription bought through Checkout."""
    price = price or make_price(client)
    customer = client.v1.customers.create(params={"email": "sub@example.com"})
    session = make_session(client, price, "subscription", customer=customer.id, **extra)
    sandbox.complete_checkout(session.id)
    session = client.v1.checkout.sessions.retrieve(session.id,
                                                   params={"expand": ["subscription"]})
    return customer, session.subscription


def sandbox_post(sandbox, path):
    response = requests.post(sandbox.url + path, timeout=5)
    return response.status_code, response.json()


def types(events):
    return [e["type"] for e in events]


def period_end(subscription):
    """The end of a subscription's current period, which lives on its items."""
    return subscription["items"]["data"][0]["current_period_end"]


def save_card(client, sandbox, customer=None, **extra):
    """A customer and the card they saved on a setup-mode Checkout page."""
    customer = customer or client.v1.customers.create(params={"email": "card@example.com"})
    session = client.v1.checkout.sessions.create(params={
        "mode": "setup", "currency": "gbp", "customer": customer.id,
        "success_url": "http://app.test/saved?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://app.test/account", **extra})
    sandbox.complete_checkout(session.id)
    setup_intent = client.v1.setup_intents.retrieve(
        client.v1.checkout.sessions.retrieve(session.id).setup_intent)
    return customer, client.v1.payment_methods.retrieve(setup_intent.payment_method)
