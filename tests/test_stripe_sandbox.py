"""The offline Stripe sandbox, exercised through the official stripe SDK.

Each test talks to a real sandbox server on a free port, with a small webhook
receiver standing in for the app's /stripe/webhook endpoint.
"""

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "stripe_sandbox.py"


from scripts.devstack.stripe import StripeSandbox, params, util


API_KEY = "sk_test_sandbox_123456"


class Receiver:
    """A webhook endpoint recording every delivery; ``statuses`` queues non-200 answers."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        self.delay = 0.0
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
                time.sleep(receiver.delay)
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

    def clear(self):
        with self.lock:
            self.requests.clear()
            self.statuses.clear()
            self.delay = 0.0

    def verified(self, secret):
        """Events from successful deliveries, each checked the way the app checks them."""
        return [stripe.Webhook.construct_event(r["body"], r["headers"]["Stripe-Signature"],
                                               secret)
                for r in self.requests if r["status"] == 200]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
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


# -- wire format ------------------------------------------------------------


def test_parse_params_decodes_stripe_bracket_syntax():
    parsed = params.parse_params(
        "line_items[0][price]=price_1&line_items[0][quantity]=2"
        "&line_items[1][price]=price_2&metadata[user_id]=7&metadata[0]=zero"
        "&expand[]=subscription&expand[]=line_items&lookup_keys[0]=a&lookup_keys[1]=b"
        "&subscription_data[metadata][k]=v&recurring[interval]=month&description="
        "&payment_intent_data[metadata][1]=one")
    assert parsed == {
        "line_items": [{"price": "price_1", "quantity": "2"}, {"price": "price_2"}],
        "metadata": {"user_id": "7", "0": "zero"},
        "expand": ["subscription", "line_items"], "lookup_keys": ["a", "b"],
        "subscription_data": {"metadata": {"k": "v"}}, "recurring": {"interval": "month"},
        "description": "", "payment_intent_data": {"metadata": {"1": "one"}}}


def test_raw_form_requests_accept_empty_bracket_lists(sandbox, client):
    monthly = make_price(client, lookup_key="pro_monthly")
    make_price(client, lookup_key="pro_yearly", interval="year")
    make_price(client, lookup_key="other")
    response = requests.get(
        f"{sandbox.url}/v1/prices?lookup_keys[]=pro_monthly&lookup_keys[]=pro_yearly"
        "&expand[]=data.product&limit=5", auth=(API_KEY, ""), timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert {p["lookup_key"] for p in body["data"]} == {"pro_monthly", "pro_yearly"}
    assert all(p["product"]["object"] == "product" for p in body["data"])
    created = requests.post(f"{sandbox.url}/v1/customers", data="metadata[a]=1&metadata[b]=2",
                            headers={"Authorization": f"Bearer {API_KEY}",
                                     "Content-Type": "application/x-www-form-urlencoded"},
                            timeout=5).json()
    assert created["metadata"] == {"a": "1", "b": "2"}
    assert monthly.unit_amount == 500 and isinstance(monthly.unit_amount, int)


# -- customers, products, prices -------------------------------------------


def test_customer_round_trip(client):
    customer = client.v1.customers.create(params={
        "email": "ada@example.com", "name": "Ada", "metadata": {"user_id": "u1", "tier": "x"}})
    assert customer.id.startswith("cus_") and customer.object == "customer"
    assert customer.livemode is False and isinstance(customer.created, int)
    assert customer.metadata.to_dict() == {"user_id": "u1", "tier": "x"}
    assert client.v1.customers.retrieve(customer.id).email == "ada@example.com"

    updated = client.v1.customers.update(customer.id, params={
        "name": "Ada L", "metadata": {"tier": "", "team": "core"}})
    assert updated.name == "Ada L"
    assert updated.metadata.to_dict() == {"user_id": "u1", "team": "core"}

    client.v1.customers.create(params={"email": "bob@example.com"})
    listed = client.v1.customers.list(params={"email": "ada@example.com"})
    assert [c.id for c in listed.data] == [customer.id]
    assert listed.object == "list" and listed.url == "/v1/customers" and not listed.has_more

    assert client.v1.customers.delete(customer.id).deleted is True
    assert client.v1.customers.retrieve(customer.id).deleted is True
    assert customer.id not in [c.id for c in client.v1.customers.list().data]


def test_products_round_trip(client):
    product = client.v1.products.create(params={"id": "pro_plan", "name": "Pro",
                                                "metadata": {"features": "all"}})
    assert product.id == "pro_plan" and product.active is True
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.products.create(params={"id": "pro_plan", "name": "Again"})
    assert exc.value.code == "resource_already_exists"

    other = client.v1.products.create(params={"name": "Basic"})
    updated = client.v1.products.update(product.id, params={"name": "Pro+", "active": False})
    assert (updated.name, updated.active) == ("Pro+", False)
    assert client.v1.products.retrieve(product.id).name == "Pro+"
    assert [p.id for p in client.v1.products.list(params={"active": False}).data] == [product.id]
    assert [p.id for p in client.v1.products.list(params={"active": True}).data] == [other.id]
    assert [p.id for p in client.v1.products.list(params={"ids": [other.id]}).data] == [other.id]


def test_price_fields_filters_and_expand(client):
    monthly = make_price(client, nickname="Monthly", metadata={"plan": "pro"},
                         lookup_key="pro_monthly")
    assert monthly.id.startswith("price_") and monthly.type == "recurring"
    assert (monthly.recurring.interval, monthly.recurring.interval_count) == ("month", 1)
    assert str(monthly.unit_amount_decimal) == "500" and monthly.lookup_key == "pro_monthly"
    one_time = make_price(client, name="Credits", interval=None, amount=1000)
    assert one_time.type == "one_time" and one_time.recurring is None
    archived = client.v1.prices.update(one_time.id, params={"active": False,
                                                             "metadata": {"old": "1"}})
    assert archived.active is False and archived.metadata.to_dict() == {"old": "1"}

    def ids(**params):
        return {p.id for p in client.v1.prices.list(params=params).data}

    assert ids(active=True) == {monthly.id}
    assert ids(type="one_time") == {one_time.id}
    assert ids(product=monthly.product) == {monthly.id}
    assert ids(lookup_keys=["pro_monthly", "missing"]) == {monthly.id}
    expanded = client.v1.prices.retrieve(monthly.id, params={"expand": ["product"]})
    assert expanded.product.name == "Pro"
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.prices.update(monthly.id, params={"unit_amount": 900})
    assert exc.value.code == "parameter_unknown"


def test_lookup_keys_are_unique_unless_transferred(client):
    old = make_price(client, lookup_key="pro_monthly")
    with pytest.raises(stripe.InvalidRequestError) as exc:
        make_price(client, amount=700, lookup_key="pro_monthly")
    assert exc.value.http_status == 400 and exc.value.param == "lookup_key"
    assert old.id in str(exc.value)
    assert len(client.v1.prices.list().data) == 1  # the failed create left nothing behind

    new = make_price(client, amount=700, lookup_key="pro_monthly", transfer_lookup_key=True)
    assert client.v1.prices.retrieve(old.id).lookup_key is None
    found = client.v1.prices.list(params={"lookup_keys": ["pro_monthly"]}).data
    assert [p.id for p in found] == [new.id]

    with pytest.raises(stripe.InvalidRequestError):
        client.v1.prices.update(old.id, params={"lookup_key": "pro_monthly"})
    moved = client.v1.prices.update(old.id, params={"lookup_key": "pro_monthly",
                                                    "transfer_lookup_key": True})
    assert moved.lookup_key == "pro_monthly"
    assert client.v1.prices.retrieve(new.id).lookup_key is None


def test_pagination_limit_cursor_and_auto_paging(client):
    created = [client.v1.customers.create(params={"name": f"c{i}"}).id for i in range(5)]
    newest_first = list(reversed(created))
    first = client.v1.customers.list(params={"limit": 2})
    assert [c.id for c in first.data] == newest_first[:2] and first.has_more
    second = client.v1.customers.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert [c.id for c in second.data] == newest_first[2:4] and second.has_more
    back = client.v1.customers.list(params={"limit": 2, "ending_before": second.data[0].id})
    assert [c.id for c in back.data] == newest_first[:2]
    assert [c.id for c in first.auto_paging_iter()] == newest_first
    assert len(client.v1.customers.list().data) == 5  # default limit is 10
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.customers.list(params={"limit": 101})
    assert exc.value.param == "limit"


# -- legacy SDK style --------------------------------------------------------


def test_legacy_global_sdk_style(legacy, sandbox):
    customer = legacy.Customer.create(email="legacy@example.com")
    product = legacy.Product.create(name="Team")
    price = legacy.Price.create(product=product.id, currency="usd", unit_amount=2500,
                                recurring={"interval": "year"}, lookup_key="team_yearly")
    assert legacy.Price.list(lookup_keys=["team_yearly"]).data[0].id == price.id
    session = legacy.checkout.Session.create(
        mode="subscription", customer=customer.id, line_items=[{"price": price.id,
                                                                "quantity": 3}],
        success_url="http://app.test/ok", subscription_data={"metadata": {"team": "t1"}})
    assert session.amount_total == 7500
    sandbox.complete_checkout(session.id)
    session = legacy.checkout.Session.retrieve(session.id, expand=["subscription"])
    sub = session.subscription
    assert sub.metadata.team == "t1" and sub["items"].data[0].quantity == 3
    modified = legacy.Subscription.modify(sub.id, metadata={"seats": "3"})
    assert modified.metadata.to_dict() == {"team": "t1", "seats": "3"}
    canceled = legacy.Subscription.cancel(sub.id)
    assert canceled.status == "canceled"
    assert legacy.Event.list(type="customer.subscription.deleted").data[0].data.object.id == sub.id
    assert legacy.Invoice.list(subscription=sub.id).data[0].amount_paid == 7500


# -- checkout ----------------------------------------------------------------


def test_payment_checkout_completed_by_control(sandbox, client, receiver):
    price = make_price(client, name="Lifetime", interval=None, amount=4900)
    customer = client.v1.customers.create(params={"email": "pay@example.com"})
    session = make_session(client, price, "payment", customer=customer.id,
                           client_reference_id="user_9", metadata={"order": "o1"},
                           payment_intent_data={"metadata": {"user_id": "9"}})
    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert session.url == f"{sandbox.url}/checkout/{session.id}"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency, session.mode) == (4900, "gbp", "payment")

    status, body = sandbox_post(sandbox, f"/_sandbox/checkout/{session.id}/complete")
    assert status == 200 and body["status"] == "complete"

    done = client.v1.checkout.sessions.retrieve(session.id,
                                                params={"expand": ["payment_intent"]})
    assert (done.status, done.payment_status) == ("complete", "paid")
    assert done.payment_intent.id.startswith("pi_") and done.payment_intent.status == "succeeded"
    assert done.payment_intent.metadata.to_dict() == {"user_id": "9"}
    assert done.payment_intent.amount_received == 4900 and done.subscription is None
    assert done.client_reference_id == "user_9" and done.metadata.order == "o1"

    expected = ["payment_intent.succeeded", "checkout.session.completed"]
    assert types(sandbox.events()) == expected
    assert sandbox.wait_for_deliveries(5)
    delivered = receiver.verified(sandbox.webhook_secret)
    assert types(delivered) == expected
    assert delivered[1].data.object.id == session.id
    assert delivered[1].data.object.payment_intent == done.payment_intent.id
    header = receiver.requests[0]["headers"]
    assert header["Content-Type"] == "application/json; charset=utf-8"
    assert receiver.requests[0]["path"] == "/stripe/webhook"


def test_subscription_checkout_paid_through_hosted_page(sandbox, client, receiver):
    price = make_price(client, name="Pro", nickname="Pro monthly")
    customer = client.v1.customers.create(params={"email": "page@example.com"})
    session = make_session(client, price, "subscription", customer=customer.id,
                           subscription_data={"metadata": {"user_id": "42"}})

    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Pro" in page.text and "£5.00" in page.text
    assert 'value="pay"' in page.text and 'value="decline"' in page.text

    paid = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=5)
    assert paid.status_code == 303
    assert paid.headers["Location"] == f"http://app.test/done?session={session.id}"

    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["subscription", "line_items"]})
    assert done.status == "complete" and done.url is None
    assert done.line_items.data[0].price.id == price.id
    sub = done.subscription
    assert sub.id.startswith("sub_") and sub.status == "active" and sub.customer == customer.id
    assert sub.metadata.to_dict() == {"user_id": "42"}
    item = sub["items"].data[0]
    assert item.id.startswith("si_") and item.price.id == price.id
    assert item.current_period_start == sub.current_period_start
    assert item.current_period_end == sub.current_period_end > sub.current_period_start

    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert invoice.id.startswith("in_") and invoice.status == "paid" and invoice.paid is True
    assert invoice.billing_reason == "subscription_create" and invoice.amount_paid == 500
    assert invoice.subscription == sub.id
    assert invoice.parent.subscription_details.subscription == sub.id
    assert invoice.parent.subscription_details.metadata.user_id == "42"
    line = invoice.lines.data[0]
    assert line.price.id == price.id and line.period.end == sub.current_period_end

    expected = ["customer.subscription.created", "invoice.paid", "checkout.session.completed"]
    assert types(sandbox.events()) == expected
    assert sandbox.wait_for_deliveries(5)
    assert types(receiver.verified(sandbox.webhook_secret)) == expected

    again = requests.post(session.url, data={"action": "pay"}, allow_redirects=False, timeout=5)
    assert again.status_code == 303
    assert types(sandbox.events()) == expected  # paying twice creates nothing new
    assert len(client.v1.subscriptions.list(params={"customer": customer.id}).data) == 1


def test_checkout_decline_keeps_session_open(sandbox, client):
    price = make_price(client, interval=None)
    session = make_session(client, price, "payment")
    declined = requests.post(session.url, data={"action": "decline"}, allow_redirects=False,
                             timeout=5)
    assert declined.status_code == 303 and declined.headers["Location"] == "http://app.test/pricing"
    status, body = sandbox_post(sandbox, f"/_sandbox/checkout/{session.id}/decline")
    assert status == 200 and body["status"] == "open"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert sandbox.events() == []


def test_checkout_without_customer_creates_one_in_subscription_mode(sandbox, client):
    session = make_session(client, make_price(client), "subscription",
                           customer_email="new@example.com")
    done = sandbox.complete_checkout(session.id)
    customer = client.v1.customers.retrieve(done["customer"])
    assert customer.email == "new@example.com"
    assert client.v1.subscriptions.retrieve(done["subscription"]).customer == customer.id


@pytest.mark.parametrize("case", ["recurring_in_payment", "one_time_in_subscription",
                                  "missing_price", "inactive_price", "unknown_customer",
                                  "missing_mode", "bad_quantity"])
def test_checkout_validation(client, case):
    recurring, one_time = make_price(client), make_price(client, interval=None)
    inactive = make_price(client, interval=None, active=False)
    item = {"price": one_time.id, "quantity": 1}
    params = {"mode": "payment", "line_items": [item], "success_url": "http://app.test/ok"}
    expected = {
        "recurring_in_payment": (dict(line_items=[{"price": recurring.id, "quantity": 1}]),
                                 None, "line_items[0][price]"),
        "one_time_in_subscription": (dict(mode="subscription"), None, "line_items"),
        "missing_price": (dict(line_items=[{"price": "price_nope", "quantity": 1}]),
                          "resource_missing", "line_items[0][price]"),
        "inactive_price": (dict(line_items=[{"price": inactive.id, "quantity": 1}]),
                           None, "line_items[0][price]"),
        "unknown_customer": (dict(customer="cus_nope"), "resource_missing", "customer"),
        "missing_mode": (dict(mode=None), "parameter_missing", "mode"),
        "bad_quantity": (dict(line_items=[{"price": one_time.id, "quantity": "lots"}]),
                         "parameter_invalid_integer", "line_items[0][quantity]"),
    }
    overrides, code, param = expected[case]
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.checkout.sessions.create(params={**params, **overrides})
    assert exc.value.http_status == 400
    assert (exc.value.code, exc.value.param) == (code, param)
    assert client.v1.checkout.sessions.list().data == []


def test_expire_checkout_session(sandbox, client):
    session = make_session(client, make_price(client, interval=None), "payment")
    expired = client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    assert types(sandbox.events()) == ["checkout.session.expired"]
    status, body = sandbox_post(sandbox, f"/_sandbox/checkout/{session.id}/complete")
    assert status == 400 and body["error"]["type"] == "invalid_request_error"


# -- subscriptions -----------------------------------------------------------


def test_subscription_update_emits_previous_attributes(sandbox, client):
    basic = make_price(client, name="Basic", amount=500)
    pro = make_price(client, name="Pro", amount=1500)
    _, sub = subscribe(client, sandbox, basic)

    flagged = client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert flagged.cancel_at_period_end is True and flagged.cancel_at == sub.current_period_end
    event = sandbox.events()[-1]
    assert event["type"] == "customer.subscription.updated"
    assert event["data"]["previous_attributes"]["cancel_at_period_end"] is False
    assert event["data"]["object"]["cancel_at_period_end"] is True

    switched = client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": sub["items"].data[0].id, "price": pro.id}],
        "proration_behavior": "create_prorations", "cancel_at_period_end": False})
    assert switched["items"].data[0].price.id == pro.id
    assert switched["items"].data[0].id == sub["items"].data[0].id
    previous = sandbox.events()[-1]["data"]["previous_attributes"]
    assert previous["items"]["data"][0]["price"]["id"] == basic.id
    assert previous["cancel_at_period_end"] is True

    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.subscriptions.update(sub.id, params={"metadata": {"a": "b"},
                                                       "items": [{"id": "si_nope",
                                                                  "price": pro.id}]})
    assert exc.value.code == "resource_missing" and exc.value.param == "items[0][id]"
    assert client.v1.subscriptions.retrieve(sub.id).metadata.to_dict() == {}  # atomic


def test_cancel_subscription_and_list_filters(sandbox, client):
    customer, sub = subscribe(client, sandbox)
    canceled = client.v1.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled" and canceled.canceled_at and canceled.ended_at
    event = sandbox.events()[-1]
    assert event["type"] == "customer.subscription.deleted"
    assert event["data"]["object"]["status"] == "canceled"
    assert event["request"]["id"].startswith("req_")

    listed = client.v1.subscriptions.list(params={"customer": customer.id})
    assert listed.data == []  # canceled ones are left out by default, as on Stripe
    every = client.v1.subscriptions.list(params={"customer": customer.id, "status": "all"})
    assert [s.id for s in every.data] == [sub.id]
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    expanded = client.v1.subscriptions.list(params={"status": "all", "expand": ["data.items"]})
    assert expanded.data[0]["items"].data[0].price.id == sub["items"].data[0].price.id


def test_switching_to_another_interval_restarts_the_cycle(sandbox, client):
    _, sub = subscribe(client, sandbox, make_price(client, interval="month"))
    yearly = make_price(client, name="Pro yearly", amount=5000, interval="year")
    switched = client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": sub["items"].data[0].id, "price": yearly.id}]})
    length = switched.current_period_end - switched.current_period_start
    assert length in (365 * 86400, 366 * 86400)
    assert switched["items"].data[0].current_period_end == switched.current_period_end


def test_renew_advances_period_and_bills(sandbox, client):
    customer, sub = subscribe(client, sandbox)
    before = len(sandbox.events())
    status, body = sandbox_post(sandbox, f"/_sandbox/subscriptions/{sub.id}/renew")
    assert status == 200
    assert body["current_period_start"] == sub.current_period_end
    assert body["current_period_end"] > body["current_period_start"]
    assert body["items"]["data"][0]["current_period_end"] == body["current_period_end"]
    invoice = body["latest_invoice"]
    assert invoice["status"] == "paid" and invoice["billing_reason"] == "subscription_cycle"
    assert invoice["lines"]["data"][0]["period"]["start"] == sub.current_period_end
    assert types(sandbox.events()[before:]) == ["invoice.paid", "customer.subscription.updated"]
    previous = sandbox.events()[-1]["data"]["previous_attributes"]
    assert previous["current_period_end"] == sub.current_period_end
    invoices = client.v1.invoices.list(params={"subscription": sub.id}).data
    assert [i.billing_reason for i in invoices] == ["subscription_cycle", "subscription_create"]
    assert client.v1.invoices.list(params={"customer": customer.id}).data[0].id == invoice["id"]


def test_failed_payment_then_recovery(sandbox, client):
    _, sub = subscribe(client, sandbox)
    before = len(sandbox.events())
    failed = sandbox.fail_payment(sub.id)
    assert failed["status"] == "past_due"
    assert failed["latest_invoice"]["status"] == "open"
    assert failed["latest_invoice"]["paid"] is False
    assert failed["latest_invoice"]["amount_due"] == 500
    assert types(sandbox.events()[before:]) == ["invoice.payment_failed",
                                                "customer.subscription.updated"]
    assert sandbox.events()[-1]["data"]["previous_attributes"]["status"] == "active"
    assert client.v1.subscriptions.list(params={"status": "past_due"}).data[0].id == sub.id

    renewed = sandbox.renew_subscription(sub.id)
    assert renewed["status"] == "active"
    assert sandbox.events()[-1]["data"]["previous_attributes"]["status"] == "past_due"


def test_renew_at_period_end_cancellation_ends_subscription(sandbox, client):
    _, sub = subscribe(client, sandbox)
    client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    ended = sandbox.renew_subscription(sub.id)
    assert ended["status"] == "canceled" and ended["ended_at"] == sub.current_period_end
    assert sandbox.events()[-1]["type"] == "customer.subscription.deleted"
    status, body = sandbox_post(sandbox, f"/_sandbox/subscriptions/{sub.id}/renew")
    assert status == 400 and "canceled" in body["error"]["message"]


def test_monthly_periods_keep_the_anchor_day():
    jan31 = 1738281600  # 2025-01-31T00:00:00Z
    assert util.shift(jan31, "month", 1) == 1740700800  # 2025-02-28
    assert util.shift(jan31, "month", 2) == 1743379200  # 2025-03-31
    assert util.shift(jan31, "year", 1) == 1769817600  # 2026-01-31
    assert util.shift(jan31, "week", 1) == jan31 + 7 * 86400


# -- billing portal ------------------------------------------------------------


def test_billing_portal_cancel_and_switch(sandbox, client):
    pro = make_price(client, name="Pro", amount=1500)
    customer, sub = subscribe(client, sandbox)
    portal = client.v1.billing_portal.sessions.create(params={
        "customer": customer.id, "return_url": "http://app.test/account"})
    assert portal.object == "billing_portal.session" and portal.id.startswith("bps_")
    assert portal.url == f"{sandbox.url}/billing_portal/{portal.id}"

    page = requests.get(portal.url, timeout=5)
    assert page.status_code == 200 and "Cancel subscription" in page.text
    assert f'value="{pro.id}"' in page.text and "£15.00" in page.text

    switched = requests.post(portal.url, data={"action": "switch", "subscription": sub.id,
                                               "price": pro.id},
                             allow_redirects=False, timeout=5)
    assert switched.status_code == 303 and switched.headers["Location"] == "http://app.test/account"
    assert sandbox.events()[-1]["type"] == "customer.subscription.updated"
    assert client.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == pro.id

    canceled = requests.post(portal.url, data={"action": "cancel", "subscription": sub.id},
                             allow_redirects=False, timeout=5)
    assert canceled.status_code == 303
    assert sandbox.events()[-1]["type"] == "customer.subscription.deleted"
    assert client.v1.subscriptions.retrieve(sub.id).status == "canceled"
    assert "No active subscriptions" in requests.get(portal.url, timeout=5).text


# -- events and webhooks -------------------------------------------------------


def test_events_api_lists_newest_first_and_filters(sandbox, client):
    subscribe(client, sandbox)
    listed = client.v1.events.list()
    assert types(listed.data) == list(reversed(types(sandbox.events())))
    event = listed.data[0]
    assert event.id.startswith("evt_") and event.object == "event" and event.livemode is False
    assert event.api_version == stripe.api_version
    assert event.request.to_dict() == {"id": None, "idempotency_key": None}
    assert client.v1.events.retrieve(event.id).type == event.type
    only = client.v1.events.list(params={"type": "invoice.paid"}).data
    assert types(only) == ["invoice.paid"]
    wildcard = client.v1.events.list(params={"type": "customer.subscription.*"}).data
    assert types(wildcard) == ["customer.subscription.created"]


def test_delivery_retries_after_500(sandbox, client, receiver):
    receiver.statuses = [500]
    client.v1.checkout.sessions.expire(
        make_session(client, make_price(client, interval=None), "payment").id)
    assert sandbox.wait_for_deliveries(5)
    assert [r["status"] for r in receiver.requests] == [500, 200]
    event = client.v1.events.list().data[0]
    attempts = event.delivery_attempts
    assert [a.status for a in attempts] == [500, 200] and attempts[0].error == "HTTP 500"
    assert event.pending_webhooks == 0
    assert types(receiver.verified(sandbox.webhook_secret)) == ["checkout.session.expired"]
    response = requests.get(f"{sandbox.url}/_sandbox/events/{event.id}/deliveries", timeout=5)
    assert [a["attempt"] for a in response.json()["data"]] == [1, 2]


def test_delivery_gives_up_after_the_last_attempt(sandbox, client, receiver):
    receiver.statuses = [503] * 10
    client.v1.checkout.sessions.expire(
        make_session(client, make_price(client, interval=None), "payment").id)
    assert sandbox.wait_for_deliveries(5)
    event = sandbox.events()[-1]
    assert len(event["delivery_attempts"]) == 4  # three retry delays configured
    assert event["pending_webhooks"] == 1


def test_slow_webhook_endpoint_does_not_block_the_api(sandbox, client, receiver):
    receiver.delay = 0.5
    price = make_price(client, interval=None)
    client.v1.checkout.sessions.expire(make_session(client, price, "payment").id)
    started = time.monotonic()
    client.v1.checkout.sessions.expire(make_session(client, price, "payment").id)
    assert time.monotonic() - started < 0.4
    assert sandbox.wait_for_deliveries(5)
    delivered = receiver.verified(sandbox.webhook_secret)
    assert [e.created for e in delivered] == sorted(e.created for e in delivered)
    assert [e.id for e in delivered] == [e["id"] for e in sandbox.events()]


def test_webhook_signature_rejects_wrong_secret(sandbox, client, receiver):
    client.v1.checkout.sessions.expire(
        make_session(client, make_price(client, interval=None), "payment").id)
    assert sandbox.wait_for_deliveries(5)
    with pytest.raises(stripe.SignatureVerificationError):
        receiver.verified("whsec_wrong")


def test_registered_webhook_endpoints(sandbox, client):
    extra = Receiver()
    try:
        endpoint = client.v1.webhook_endpoints.create(params={
            "url": extra.url, "enabled_events": ["invoice.paid"]})
        assert endpoint.id.startswith("we_") and endpoint.secret.startswith("whsec_")
        listed = client.v1.webhook_endpoints.list().data
        assert [e.id for e in listed] == [endpoint.id] and "secret" not in listed[0]

        subscribe(client, sandbox)
        assert sandbox.wait_for_deliveries(5)
        assert types(extra.verified(endpoint.secret)) == ["invoice.paid"]
        paid = sandbox.events("invoice.paid")[0]
        assert {a["endpoint"] for a in paid["delivery_attempts"]} == {extra.url,
                                                                     sandbox.webhook_url}

        assert client.v1.webhook_endpoints.delete(endpoint.id).deleted is True
        assert client.v1.webhook_endpoints.list().data == []
    finally:
        extra.close()


# -- idempotency and errors ------------------------------------------------------


def test_idempotency_key_replays_the_first_response(sandbox, client):
    params = {"email": "once@example.com"}
    first = client.v1.customers.create(params=params, options={"idempotency_key": "key-1"})
    second = client.v1.customers.create(params=params, options={"idempotency_key": "key-1"})
    assert first.id == second.id
    assert len(client.v1.customers.list().data) == 1

    raw = requests.post(f"{sandbox.url}/v1/customers", data=params, timeout=5,
                        headers={"Authorization": f"Bearer {API_KEY}",
                                 "Idempotency-Key": "key-1"})
    assert raw.headers["Idempotent-Replayed"] == "true" and raw.json()["id"] == first.id

    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create(params={"email": "other@example.com"},
                                   options={"idempotency_key": "key-1"})
    other = client.v1.customers.create(params=params, options={"idempotency_key": "key-2"})
    assert other.id != first.id


def test_errors_are_stripe_shaped(sandbox, client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.subscriptions.retrieve("sub_missing")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    assert "No such subscription: 'sub_missing'" in str(missing.value)

    with pytest.raises(stripe.InvalidRequestError) as required:
        client.v1.products.create(params={})
    assert (required.value.http_status, required.value.code, required.value.param) == (
        400, "parameter_missing", "name")

    with pytest.raises(stripe.InvalidRequestError) as empty:
        client.v1.products.create(params={"name": ""})
    assert empty.value.code == "parameter_invalid_empty"

    bad_key = stripe.StripeClient("sk_live_nope", base_addresses={"api": sandbox.url},
                                  max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError) as auth:
        bad_key.v1.customers.list()
    assert auth.value.http_status == 401

    anonymous = requests.get(f"{sandbox.url}/v1/customers", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["type"] == "invalid_request_error"
    unknown = requests.get(f"{sandbox.url}/v1/coupons", auth=(API_KEY, ""), timeout=5)
    assert unknown.status_code == 404 and "Unrecognized request URL" in unknown.text


# -- controls and CLI ----------------------------------------------------------


def test_health_reset_and_missing_control_targets(sandbox, client):
    assert requests.get(f"{sandbox.url}/_sandbox/health", timeout=5).json() == {"ok": True}
    client.v1.customers.create(params={})
    assert sandbox_post(sandbox, "/_sandbox/reset") == (200, {"ok": True})
    assert client.v1.customers.list().data == []
    status, body = sandbox_post(sandbox, "/_sandbox/subscriptions/sub_nope/renew")
    assert status == 404 and body["error"]["code"] == "resource_missing"
    assert requests.get(f"{sandbox.url}/checkout/cs_test_nope", timeout=5).status_code == 404


def test_cli_prints_url_and_serves():
    process = subprocess.Popen([sys.executable, str(SCRIPT), "--port", "0",
                                "--webhook-secret", "whsec_cli"],
                               stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("Stripe sandbox listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1]
        assert process.stdout.readline().strip() == "Webhook signing secret: whsec_cli"
        assert requests.get(f"{url}/_sandbox/health", timeout=5).json() == {"ok": True}
        client = stripe.StripeClient(API_KEY, base_addresses={"api": url},
                                     max_network_retries=0)
        assert client.v1.customers.create(params={"email": "cli@example.com"}).id
    finally:
        process.terminate()
        process.wait(timeout=5)
    assert process.returncode == 0


def test_success_url_placeholder_and_query_survive_round_trip(sandbox, client):
    session = make_session(client, make_price(client, interval=None), "payment")
    response = requests.post(session.url, data={"action": "pay"}, allow_redirects=False,
                             timeout=5)
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"session": [session.id]}
