#!/usr/bin/env python3
"""Offline Stripe sandbox.

A local HTTP server that speaks the slice of the Stripe REST API this project
uses (customers, products, prices, Checkout, subscriptions, invoices, the
billing portal, events and webhook endpoints) closely enough that the official
``stripe`` Python SDK works against it unchanged once its API base points here.
It also serves the hosted Checkout and billing-portal pages, signs and delivers
webhooks like Stripe does, and exposes ``/_sandbox/`` controls that stand in for
the passage of time (renewals, failed payments).

Run it on its own::

    python scripts/stripe_sandbox.py --port 12111 \\
        --webhook-url http://127.0.0.1:8000/stripe/webhook --webhook-secret whsec_...

or start it in-process (tests)::

    sandbox = StripeSandbox(port=0, webhook_url=url, webhook_secret=secret).start()
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": sandbox.url})

Standard library only, so it runs anywhere the project's Python does.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import copy
import datetime
import heapq
import hmac
import html
import http.client
import itertools
import json
import re
import secrets
import signal
import string
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, NamedTuple

# The API version of the stripe-python release the project pins (16.x); events
# carry it so handlers see the same shapes the SDK expects.
API_VERSION = "2026-10-28.endive"
DEFAULT_PORT = 12111
DEFAULT_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)  # six attempts in all
WEBHOOK_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    """Random id with one of Stripe's prefixes, so id-sniffing code behaves."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def now() -> int:
    """Unix seconds: Stripe timestamps have no fractional part."""
    return int(time.time())


def public(obj: dict) -> dict:
    """A deep copy without the ``_``-prefixed bookkeeping kept alongside each object."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def shift(anchor: int, interval: str, count: int) -> int:
    """``anchor`` plus ``count`` billing intervals.

    Month and year steps keep the anchor's day of month, clamped to the
    month's length, the way Stripe's billing cycle anchor works (Jan 31 ->
    Feb 28 -> Mar 31).
    """
    if interval in ("day", "week"):
        return anchor + count * (7 if interval == "week" else 1) * 86400
    start = datetime.datetime.fromtimestamp(anchor, tz=datetime.timezone.utc)
    months = start.month - 1 + count * (12 if interval == "year" else 1)
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())


_ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg",
                 "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
_SYMBOLS = {"gbp": "£", "usd": "$", "eur": "€", "jpy": "¥", "inr": "₹",
            "cad": "CA$", "aud": "A$", "nzd": "NZ$"}


def format_amount(amount: int, currency: str) -> str:
    """Minor units to display text, e.g. (500, "gbp") -> "£5.00"."""
    code = (currency or "").lower()
    if code in _ZERO_DECIMAL:
        text = f"{amount:,}"
    else:
        text = f"{amount // 100:,}.{amount % 100:02d}"
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{text}" if symbol else f"{text} {code.upper()}"


def describe_recurring(recurring: dict | None) -> str:
    """"per month" / "every 3 months" / "" for one-time prices."""
    if not recurring:
        return ""
    count, interval = recurring["interval_count"], recurring["interval"]
    return f"per {interval}" if count == 1 else f"every {count} {interval}s"


# --------------------------------------------------------------------------
# Errors and request parameters
# --------------------------------------------------------------------------


class ApiError(Exception):
    """A Stripe-shaped error; rendered as ``{"error": {...}}`` with its HTTP status."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 param: str | None = None, error_type: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message = status, message
        self.code, self.param, self.error_type = code, param, error_type

    def payload(self) -> dict:
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = "https://stripe.com/docs/error-codes/" + self.code.replace("_", "-")
        if self.param:
            error["param"] = self.param
        return {"error": error}


def missing_param(param: str) -> ApiError:
    return ApiError(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def no_such(label: str, obj_id: Any, *, param: str = "id", status: int = 404) -> ApiError:
    """404 for the resource named by the URL, 400 for one referenced by a parameter."""
    return ApiError(status, f"No such {label}: '{obj_id}'", code="resource_missing", param=param)


_BRACKET = re.compile(r"\[([^\[\]]*)\]")


def parse_params(query: str) -> dict:
    """Decode Stripe's form encoding into nested dicts and lists.

    ``metadata[user_id]=7`` -> ``{"metadata": {"user_id": "7"}}``;
    ``line_items[0][price]=p`` and ``expand[]=x`` become lists. Values stay
    strings: each handler coerces the fields Stripe treats as numbers/booleans.
    """
    root: dict = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        base, bracket, rest = key.partition("[")
        parts = [base] + (_BRACKET.findall(bracket + rest) if bracket else [])
        _assign(root, parts, value)
    return _listify(root)


def _assign(node: dict, parts: list[str], value: str) -> None:
    *path, last = parts
    for part in path:
        part = part or str(len(node))  # "[]" in the middle starts a new element
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last or str(len(node))] = value


def _listify(value: Any, key: str | None = None) -> Any:
    """Turn dicts keyed "0", "1", ... into lists (but never a metadata hash)."""
    if not isinstance(value, dict):
        return value
    items = {k: _listify(v, k) for k, v in value.items()}
    if key != "metadata" and items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


class Params:
    """Typed access to one level of decoded parameters, raising Stripe's errors.

    ``prefix`` is the bracketed path of this level (``line_items[0]``) so error
    ``param`` values name the exact field, as Stripe's do.
    """

    def __init__(self, data: Any = None, prefix: str = ""):
        if data is not None and not isinstance(data, dict):
            raise ApiError(400, "Invalid object", param=prefix or None)
        self.data = data or {}
        self.prefix = prefix

    def path(self, name: str) -> str:
        return f"{self.prefix}[{name}]" if self.prefix else name

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def str(self, name: str, *, required: bool = False, choices: tuple = ()) -> str | None:
        """The string value; ``None`` when absent or posted empty (Stripe's "unset")."""
        value = self.data.get(name)
        if value is None:
            if required:
                raise missing_param(self.path(name))
            return None
        if not isinstance(value, str):
            raise ApiError(400, f"Invalid string: {value!r}", param=self.path(name))
        if value == "":
            if required:
                raise ApiError(
                    400, f"You passed an empty string for '{self.path(name)}'. We assume empty "
                    f"values are an attempt to unset a parameter; however '{self.path(name)}' "
                    "cannot be unset. You should remove it from your request or supply a "
                    "non-empty value.", code="parameter_invalid_empty", param=self.path(name))
            return None
        if choices and value not in choices:
            raise ApiError(400, f"Invalid {name}: must be one of {', '.join(choices)}",
                           param=self.path(name))
        return value

    def int(self, name: str, *, required: bool = False, default: int | None = None,
            minimum: int | None = None, maximum: int | None = None) -> int | None:
        value = self.str(name, required=required)
        if value is None:
            return default
        if not re.fullmatch(r"-?\d+", value):
            raise ApiError(400, f"Invalid integer: {value}", code="parameter_invalid_integer",
                           param=self.path(name))
        number = int(value)
        if minimum is not None and number < minimum:
            raise ApiError(400, f"This value must be greater than or equal to {minimum}.",
                           code="parameter_invalid_integer", param=self.path(name))
        if maximum is not None and number > maximum:
            raise ApiError(400, f"This value must be less than or equal to {maximum}.",
                           code="parameter_invalid_integer", param=self.path(name))
        return number

    def bool(self, name: str, *, default: bool | None = None) -> bool | None:
        value = self.str(name)
        if value is None:
            return default
        if value not in ("true", "false"):
            raise ApiError(400, f"Invalid boolean: {value}", param=self.path(name))
        return value == "true"

    def sub(self, name: str) -> "Params":
        return Params(self.data.get(name), self.path(name))

    def strings(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None or value == "":
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError(400, "Invalid array", param=self.path(name))
        return value

    def objects(self, name: str, *, required: bool = False) -> list["Params"]:
        value = self.data.get(name)
        if value is None:
            if required:
                raise missing_param(self.path(name))
            return []
        if not isinstance(value, list):
            raise ApiError(400, "Invalid array", param=self.path(name))
        return [Params(item, f"{self.path(name)}[{i}]") for i, item in enumerate(value)]

    def metadata(self, name: str = "metadata") -> dict | str | None:
        """``None`` if absent, ``""`` to clear it all, else updates (``""`` unsets a key)."""
        value = self.data.get(name)
        if value is None or value == "":
            return value
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ApiError(400, "Invalid metadata: values must be strings", param=self.path(name))
        return value


def atomically(obj: dict, change: Callable[[dict], None]) -> dict:
    """Apply ``change`` to a copy and commit it only if it raised nothing.

    Stripe updates are all-or-nothing: a 400 must leave the object untouched.
    """
    draft = copy.deepcopy(obj)
    change(draft)
    obj.clear()
    obj.update(draft)
    return obj


def apply_metadata(current: dict, update: dict | str | None) -> dict:
    """Stripe's metadata merge: keys are added/replaced, empty values unset them."""
    if update is None:
        return dict(current)
    if update == "":
        return {}
    merged = {**current, **update}
    return {k: v for k, v in merged.items() if v != ""}


# --------------------------------------------------------------------------
# Webhook delivery
# --------------------------------------------------------------------------


def sign_payload(payload: str, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header: HMAC-SHA256 of ``"{t}.{payload}"``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class DeliveryWorker(threading.Thread):
    """Posts events to one endpoint.

    First attempts go out in creation order; a failed attempt is rescheduled
    with back-off instead of blocking the queue, so one broken event cannot
    stall the rest (Stripe itself does not promise ordering across retries).
    Shares the sandbox's condition so state and queues use one lock.
    """

    def __init__(self, cond: threading.Condition, endpoint: dict, delays: tuple, timeout: float):
        super().__init__(daemon=True, name=f"webhook-{endpoint['id']}")
        self.cond, self.endpoint = cond, endpoint
        self.delays, self.timeout = tuple(delays), timeout
        self.queue: list = []  # heap of (due, seq, attempt, event)
        self.busy = False
        self.stopped = False
        self._seq = itertools.count()

    @property
    def idle(self) -> bool:
        return self.stopped or (not self.queue and not self.busy)

    def matches(self, event_type: str) -> bool:
        enabled = self.endpoint["enabled_events"]
        return "*" in enabled or event_type in enabled

    def enqueue(self, event: dict, attempt: int = 1, delay: float = 0.0) -> None:
        """Caller holds the lock."""
        heapq.heappush(self.queue, (time.monotonic() + delay, next(self._seq), attempt, event))
        self.cond.notify_all()

    def stop(self) -> None:
        """Caller holds the lock."""
        self.stopped = True
        self.queue.clear()
        self.cond.notify_all()

    def run(self) -> None:
        while (job := self._take()) is not None:
            attempt, event, payload = job
            status, error = self._post(payload)
            self._record(event, attempt, status, error)

    def _take(self):
        with self.cond:
            while not self.stopped:
                wait = self.queue[0][0] - time.monotonic() if self.queue else None
                if wait is not None and wait <= 0:
                    _, _, attempt, event = heapq.heappop(self.queue)
                    self.busy = True
                    return attempt, event, json.dumps(public(event), indent=2)
                self.cond.wait(wait)
            return None

    def _post(self, payload: str) -> tuple[int | None, str | None]:
        """One signed attempt. http.client keeps header names exactly as Stripe spells
        them (urllib would send "Stripe-signature"), which matters to receivers that
        read raw header dicts."""
        url = urllib.parse.urlsplit(self.endpoint["url"])
        connection_class = (http.client.HTTPSConnection if url.scheme == "https"
                            else http.client.HTTPConnection)
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "User-Agent": WEBHOOK_USER_AGENT,
                   "Stripe-Signature": sign_payload(payload, self.endpoint["secret"], now())}
        connection = connection_class(url.netloc, timeout=self.timeout)
        try:
            connection.request("POST", urllib.parse.urlunsplit(("", "", url.path or "/",
                                                                url.query, "")),
                               body=payload.encode(), headers=headers)
            response = connection.getresponse()
            response.read()  # closing before the body is read resets the receiver's socket
            status = response.status
            return status, None if 200 <= status < 300 else f"HTTP {status}"
        except (OSError, http.client.HTTPException) as exc:
            return None, str(exc) or type(exc).__name__
        finally:
            connection.close()

    def _record(self, event: dict, attempt: int, status: int | None, error: str | None) -> None:
        with self.cond:
            event["_attempts"].append({"endpoint": self.endpoint["url"], "attempt": attempt,
                                       "at": now(), "status": status, "error": error})
            if status is not None and 200 <= status < 300:
                event["pending_webhooks"] = max(0, event["pending_webhooks"] - 1)
            elif attempt <= len(self.delays) and not self.stopped:
                self.enqueue(event, attempt + 1, self.delays[attempt - 1])
            self.busy = False
            self.cond.notify_all()


class Dispatcher:
    """Webhook endpoints (the startup one plus API-registered ones) and their workers."""

    def __init__(self, cond: threading.Condition, delays: tuple, timeout: float):
        self.cond, self.delays, self.timeout = cond, delays, timeout
        self.workers: dict[str, DeliveryWorker] = {}

    def add(self, endpoint_id: str, url: str, secret: str, enabled_events: list[str]) -> None:
        endpoint = {"id": endpoint_id, "url": url, "secret": secret,
                    "enabled_events": list(enabled_events)}
        self.remove(endpoint_id)
        worker = self.workers[endpoint_id] = DeliveryWorker(self.cond, endpoint, self.delays,
                                                            self.timeout)
        worker.start()

    def remove(self, endpoint_id: str) -> None:
        worker = self.workers.pop(endpoint_id, None)
        if worker:
            worker.stop()

    def dispatch(self, event: dict) -> int:
        """Queue ``event`` for every matching endpoint; returns how many."""
        targets = [w for w in self.workers.values() if w.matches(event["type"])]
        for worker in targets:
            worker.enqueue(event)
        return len(targets)

    def idle(self) -> bool:
        return all(worker.idle for worker in self.workers.values())

    def stop_all(self) -> list[DeliveryWorker]:
        workers = list(self.workers.values())
        for endpoint_id in list(self.workers):
            self.remove(endpoint_id)
        return workers


# --------------------------------------------------------------------------
# The account state: resources, events and flows
# --------------------------------------------------------------------------


class Kind(NamedTuple):
    prefix: str
    id_length: int
    label: str  # as in "No such customer: 'cus_x'"
    url: str  # list envelope url


KINDS = {
    "customers": Kind("cus_", 14, "customer", "/v1/customers"),
    "products": Kind("prod_", 14, "product", "/v1/products"),
    "prices": Kind("price_", 24, "price", "/v1/prices"),
    "checkout_sessions": Kind("cs_test_", 58, "checkout.session", "/v1/checkout/sessions"),
    "payment_intents": Kind("pi_", 24, "payment_intent", "/v1/payment_intents"),
    "subscriptions": Kind("sub_", 24, "subscription", "/v1/subscriptions"),
    "invoices": Kind("in_", 24, "invoice", "/v1/invoices"),
    "billing_portal_sessions": Kind("bps_", 24, "billing_portal.session",
                                    "/v1/billing_portal/sessions"),
    "events": Kind("evt_", 24, "event", "/v1/events"),
    "webhook_endpoints": Kind("we_", 24, "webhook_endpoint", "/v1/webhook_endpoints"),
}

# Fields holding an id that ``expand[]`` may replace with the object.
EXPANDABLE = {"customer": "customers", "product": "products", "price": "prices",
              "default_price": "prices", "subscription": "subscriptions",
              "latest_invoice": "invoices", "invoice": "invoices",
              "payment_intent": "payment_intents"}

SUBSCRIPTION_STATUSES = ("active", "past_due", "unpaid", "canceled", "incomplete",
                         "incomplete_expired", "trialing", "paused", "all", "ended")
PRORATION_BEHAVIORS = ("create_prorations", "none", "always_invoice")


class SandboxState:
    """The in-memory Stripe account.

    Callers hold ``self.lock`` around every call: the HTTP layer takes it once
    per request so the idempotency check, the handler and the stored replay are
    atomic, and delivery workers take it to record attempts.
    """

    def __init__(self, dispatcher: Dispatcher, cond: threading.Condition, api_version: str):
        self.lock = cond  # a Condition over one RLock, shared with the delivery workers
        self.dispatcher = dispatcher
        self.api_version = api_version
        self.base_url = ""
        self.request: dict | None = None  # the API request being served, for event.request
        self.reset()

    def reset(self) -> None:
        self.db: dict[str, dict[str, dict]] = {name: {} for name in KINDS}
        self._seq = itertools.count(1)
        self._invoice_numbers = itertools.count(1)

    # -- storage ----------------------------------------------------------

    def create(self, kind: str, fields: dict, obj_id: str | None = None) -> dict:
        spec = KINDS[kind]
        obj = {"id": obj_id or new_id(spec.prefix, spec.id_length), **fields,
               "_seq": next(self._seq)}
        self.db[kind][obj["id"]] = obj
        return obj

    def get(self, kind: str, obj_id: Any, *, param: str = "id", status: int = 404,
            allow_deleted: bool = False) -> dict:
        obj = self.db[kind].get(obj_id) if isinstance(obj_id, str) else None
        if obj is None or (obj.get("deleted") and not allow_deleted):
            raise no_such(KINDS[kind].label, obj_id, param=param, status=status)
        return obj

    def ref(self, kind: str, p: Params, name: str) -> dict | None:
        """The object a parameter names (400 if it does not exist), or None if absent."""
        obj_id = p.str(name)
        return self.get(kind, obj_id, param=p.path(name), status=400) if obj_id else None

    def find(self, obj_id: str) -> tuple[str, dict] | None:
        for kind, table in self.db.items():
            if obj_id in table:
                return kind, table[obj_id]
        return None

    # -- output -----------------------------------------------------------

    def render(self, kind: str, obj: dict) -> dict:
        out = public(obj)
        renderer = {"subscriptions": self._render_subscription,
                    "invoices": self._render_invoice,
                    "events": self._render_event}.get(kind)
        return renderer(out, obj) if renderer and not obj.get("deleted") else out

    def output(self, kind: str, obj: dict, p: Params) -> dict:
        return self.expand(self.render(kind, obj), p)

    def expand(self, node: dict, p: Params) -> dict:
        for path in p.strings("expand"):
            self._expand_path(node, path.split("."))
        return node

    def _expand_path(self, node: Any, parts: list[str]) -> None:
        if isinstance(node, list):
            for item in node:
                self._expand_path(item, parts)
            return
        if not parts or not isinstance(node, dict):
            return
        key, rest = parts[0], parts[1:]
        value = node.get(key)
        if isinstance(value, str) and key in EXPANDABLE and value in self.db[EXPANDABLE[key]]:
            value = node[key] = self.render(EXPANDABLE[key], self.db[EXPANDABLE[key]][value])
        elif key == "line_items" and node.get("object") == "checkout.session":
            value = node[key] = self._session_line_items(self.db["checkout_sessions"][node["id"]],
                                                         Params())
        self._expand_path(value, rest)

    def page(self, kind: str, p: Params, keep: Callable[[dict], bool] = lambda o: True,
             url: str | None = None) -> dict:
        """A list envelope, newest first, honouring limit/starting_after/ending_before."""
        items = [o for o in reversed(self.db[kind].values()) if not o.get("deleted") and keep(o)]
        data, has_more = self._paginate(kind, items, p)
        envelope = {"object": "list", "data": [self.render(kind, o) for o in data],
                    "has_more": has_more, "url": url or KINDS[kind].url}
        return self.expand(envelope, p)

    def _paginate(self, kind: str, items: list[dict], p: Params) -> tuple[list[dict], bool]:
        limit = p.int("limit", default=10, minimum=1, maximum=100)
        after, before = p.str("starting_after"), p.str("ending_before")
        if after:
            pivot = self.get(kind, after, param="starting_after", status=400,
                             allow_deleted=True)["_seq"]
            items = [o for o in items if o["_seq"] < pivot]
        elif before:
            pivot = self.get(kind, before, param="ending_before", status=400,
                             allow_deleted=True)["_seq"]
            items = [o for o in items if o["_seq"] > pivot]
            return items[-limit:], len(items) > limit
        return items[:limit], len(items) > limit

    # -- events -----------------------------------------------------------

    def emit(self, event_type: str, snapshot: dict, previous: dict | None = None) -> dict:
        """Record an event (data.object is a snapshot) and queue its webhooks."""
        data: dict[str, Any] = {"object": snapshot}
        if previous is not None:
            data["previous_attributes"] = previous
        request = self.request or {"id": None, "idempotency_key": None}
        event = self.create("events", {
            "object": "event", "api_version": self.api_version, "created": now(),
            "data": data, "livemode": False, "pending_webhooks": 0,
            "request": dict(request), "type": event_type, "_attempts": []})
        event["pending_webhooks"] = self.dispatcher.dispatch(event)
        return event

    def _render_event(self, out: dict, obj: dict) -> dict:
        out["delivery_attempts"] = copy.deepcopy(obj["_attempts"])
        return out

    def retrieve_event(self, p: Params, id: str) -> dict:
        return self.output("events", self.get("events", id), p)

    def list_events(self, p: Params) -> dict:
        patterns = p.strings("types") or ([p.str("type")] if p.str("type") else [])
        created = p.sub("created") if isinstance(p.data.get("created"), dict) else None
        exact_created = None if created else p.int("created")

        def keep(event: dict) -> bool:
            if patterns and not any(_type_matches(pt, event["type"]) for pt in patterns):
                return False
            if exact_created is not None and event["created"] != exact_created:
                return False
            return created is None or _in_range(event["created"], created)
        return self.page("events", p, keep)

    # -- customers --------------------------------------------------------

    def create_customer(self, p: Params) -> dict:
        customer = self.create("customers", {
            "object": "customer", "address": None, "balance": 0, "created": now(),
            "currency": None, "default_source": None, "delinquent": False,
            "description": p.str("description"), "discount": None,
            "email": _email(p), "invoice_prefix": new_id("", 8).upper(),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None,
                                 "footer": None, "rendering_options": None},
            "livemode": False, "metadata": apply_metadata({}, p.metadata()),
            "name": p.str("name"), "next_invoice_sequence": 1, "phone": p.str("phone"),
            "preferred_locales": [], "shipping": None, "tax_exempt": "none",
            "test_clock": None})
        return self.output("customers", customer, p)

    def retrieve_customer(self, p: Params, id: str) -> dict:
        return self.output("customers", self.get("customers", id, allow_deleted=True), p)

    def update_customer(self, p: Params, id: str) -> dict:
        def change(customer: dict) -> None:
            if "email" in p:
                customer["email"] = _email(p)
            _set_strings(customer, p, ("name", "description", "phone"))
            customer["metadata"] = apply_metadata(customer["metadata"], p.metadata())
        return self.output("customers", atomically(self.get("customers", id), change), p)

    def delete_customer(self, p: Params, id: str) -> dict:
        """Deleted customers keep a stub, as Stripe returns on later retrieval."""
        customer = self.get("customers", id)
        stub = {"id": id, "object": "customer", "deleted": True, "_seq": customer["_seq"]}
        self.db["customers"][id] = stub
        return public(stub)

    def list_customers(self, p: Params) -> dict:
        email = p.str("email")
        return self.page("customers", p, lambda c: email is None or c["email"] == email)

    # -- products ---------------------------------------------------------

    def create_product(self, p: Params) -> dict:
        custom_id = p.str("id")
        if custom_id and custom_id in self.db["products"]:
            raise ApiError(400, "Product already exists.", code="resource_already_exists",
                           param="id")
        created = now()
        product = self.create("products", {
            "object": "product", "active": p.bool("active", default=True),
            "created": created, "default_price": None, "description": p.str("description"),
            "images": p.strings("images"), "livemode": False, "marketing_features": [],
            "metadata": apply_metadata({}, p.metadata()),
            "name": p.str("name", required=True), "package_dimensions": None,
            "shippable": None, "statement_descriptor": p.str("statement_descriptor"),
            "tax_code": None, "type": "service", "unit_label": p.str("unit_label"),
            "updated": created, "url": p.str("url")}, obj_id=custom_id)
        return self.output("products", product, p)

    def retrieve_product(self, p: Params, id: str) -> dict:
        return self.output("products", self.get("products", id), p)

    def update_product(self, p: Params, id: str) -> dict:
        def change(product: dict) -> None:
            if "name" in p:
                product["name"] = p.str("name", required=True)
            if "active" in p:
                product["active"] = p.bool("active")
            if "default_price" in p:
                price = self.ref("prices", p, "default_price")
                product["default_price"] = price["id"] if price else None
            _set_strings(product, p, ("description", "statement_descriptor", "unit_label",
                                      "url"))
            product["metadata"] = apply_metadata(product["metadata"], p.metadata())
            product["updated"] = now()
        return self.output("products", atomically(self.get("products", id), change), p)

    def list_products(self, p: Params) -> dict:
        active, ids = p.bool("active"), set(p.strings("ids"))

        def keep(product: dict) -> bool:
            return (active is None or product["active"] == active) and (
                not ids or product["id"] in ids)
        return self.page("products", p, keep)

    # -- prices -----------------------------------------------------------

    def create_price(self, p: Params) -> dict:
        recurring = self._recurring(p.sub("recurring")) if "recurring" in p else None
        fields = {
            "object": "price", "active": p.bool("active", default=True),
            "billing_scheme": "per_unit", "created": now(),
            "currency": p.str("currency", required=True).lower(),
            "custom_unit_amount": None, "livemode": False, "lookup_key": None,
            "metadata": apply_metadata({}, p.metadata()), "nickname": p.str("nickname"),
            "product": None, "recurring": recurring,
            "tax_behavior": p.str("tax_behavior") or "unspecified", "tiers_mode": None,
            "transform_quantity": None, "type": "recurring" if recurring else "one_time",
            "unit_amount": p.int("unit_amount", required=True, minimum=0)}
        fields["unit_amount_decimal"] = str(fields["unit_amount"])
        holder = self._lookup_key_holder(p, None)
        fields["product"] = self._price_product(p)["id"]
        price = self.create("prices", fields)
        self._set_lookup_key(price, p, holder)
        return self.output("prices", price, p)

    def _price_product(self, p: Params) -> dict:
        """The price's product: an existing one, or one made from ``product_data``."""
        if "product_data" in p:
            data = p.sub("product_data")
            return self.create("products", {
                "object": "product", "active": data.bool("active", default=True),
                "created": now(), "default_price": None, "description": None, "images": [],
                "livemode": False, "marketing_features": [],
                "metadata": apply_metadata({}, data.metadata()),
                "name": data.str("name", required=True), "package_dimensions": None,
                "shippable": None, "statement_descriptor": None, "tax_code": None,
                "type": "service", "unit_label": None, "updated": now(), "url": None})
        if "product" not in p:
            raise missing_param("product")
        return self.ref("products", p, "product")

    @staticmethod
    def _recurring(p: Params) -> dict:
        return {"interval": p.str("interval", required=True,
                                  choices=("day", "week", "month", "year")),
                "interval_count": p.int("interval_count", default=1, minimum=1),
                "meter": None, "trial_period_days": p.int("trial_period_days"),
                "usage_type": p.str("usage_type", choices=("licensed",)) or "licensed"}

    def _lookup_key_holder(self, p: Params, price: dict | None) -> dict | None:
        """The other price already using the requested lookup key, when it may move.

        Lookup keys are unique per account (archived prices keep theirs):
        taking one needs ``transfer_lookup_key=true``, otherwise Stripe answers 400.
        """
        key = p.str("lookup_key")
        own_id = price["id"] if price else None
        holder = next((o for o in self.db["prices"].values()
                       if key and o["lookup_key"] == key and o["id"] != own_id), None)
        if holder and not p.bool("transfer_lookup_key", default=False):
            raise ApiError(400, f"A price (`{holder['id']}`) already uses that lookup key.",
                           param="lookup_key")
        return holder

    def _set_lookup_key(self, price: dict, p: Params, holder: dict | None) -> None:
        if "lookup_key" not in p:
            return
        if holder:
            holder["lookup_key"] = None
        price["lookup_key"] = p.str("lookup_key")

    def retrieve_price(self, p: Params, id: str) -> dict:
        return self.output("prices", self.get("prices", id), p)

    def update_price(self, p: Params, id: str) -> dict:
        """Amount, currency, interval and product are fixed once a price exists."""
        for fixed in ("unit_amount", "currency", "recurring", "product"):
            if fixed in p:
                raise ApiError(400, f"Received unknown parameter: {fixed}",
                               code="parameter_unknown", param=fixed)

        def change(price: dict) -> None:
            if "active" in p:
                price["active"] = p.bool("active")
            if "tax_behavior" in p:
                price["tax_behavior"] = p.str("tax_behavior") or "unspecified"
            _set_strings(price, p, ("nickname",))
            price["metadata"] = apply_metadata(price["metadata"], p.metadata())
            self._set_lookup_key(price, p, self._lookup_key_holder(p, price))
        return self.output("prices", atomically(self.get("prices", id), change), p)

    def list_prices(self, p: Params) -> dict:
        active, product = p.bool("active"), p.str("product")
        kind = p.str("type", choices=("one_time", "recurring"))
        currency = (p.str("currency") or "").lower() or None
        interval = p.sub("recurring").str("interval")
        keys = p.strings("lookup_keys")
        if len(keys) > 10:
            raise ApiError(400, "You may only specify up to 10 lookup keys.",
                           param="lookup_keys")

        def keep(price: dict) -> bool:
            return all((
                active is None or price["active"] == active,
                product is None or price["product"] == product,
                kind is None or price["type"] == kind,
                currency is None or price["currency"] == currency,
                interval is None or (price["recurring"] or {}).get("interval") == interval,
                not keys or price["lookup_key"] in keys))
        return self.page("prices", p, keep)

    # -- checkout sessions ------------------------------------------------

    def create_checkout_session(self, p: Params) -> dict:
        mode = p.str("mode", required=True, choices=("payment", "setup", "subscription"))
        if mode == "setup":
            raise ApiError(400, "The sandbox supports `payment` and `subscription` mode only.",
                           param="mode")
        customer = self.ref("customers", p, "customer")
        if customer and p.str("customer_email"):
            raise ApiError(400, "You may only specify one of these parameters: customer, "
                           "customer_email.", param="customer_email")
        _reject_for_mode(p, mode)
        items = self._checkout_items(p, mode)
        prices = [self.db["prices"][item["price"]] for item in items]
        total = sum(price["unit_amount"] * item["quantity"] for price, item in zip(prices, items))
        created = now()
        session = self.create("checkout_sessions", {
            "object": "checkout.session", "after_expiration": None,
            "allow_promotion_codes": p.bool("allow_promotion_codes"),
            "amount_subtotal": total, "amount_total": total,
            "billing_address_collection": p.str("billing_address_collection"),
            "cancel_url": p.str("cancel_url"),
            "client_reference_id": p.str("client_reference_id"), "created": created,
            "currency": prices[0]["currency"],
            "customer": customer["id"] if customer else None,
            "customer_creation": None if customer or mode == "subscription" else "if_required",
            "customer_details": None, "customer_email": p.str("customer_email"),
            "expires_at": p.int("expires_at") or created + 86400, "invoice": None,
            "livemode": False, "locale": p.str("locale"),
            "metadata": apply_metadata({}, p.metadata()), "mode": mode,
            "payment_intent": None, "payment_method_types": ["card"],
            "payment_status": "unpaid", "status": "open", "submit_type": None,
            "subscription": None, "success_url": p.str("success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted", "url": None, "_line_items": items,
            "_subscription_data": _intent_data(p.sub("subscription_data")),
            "_payment_intent_data": _intent_data(p.sub("payment_intent_data"))})
        session["url"] = f"{self.base_url}/checkout/{session['id']}"
        return self.output("checkout_sessions", session, p)

    def _checkout_items(self, p: Params, mode: str) -> list[dict]:
        entries = p.objects("line_items", required=True)
        if not entries:
            raise missing_param("line_items")
        items, prices = [], []
        for entry in entries:
            price = self.ref("prices", entry, "price") if "price" in entry else None
            if price is None:
                raise missing_param(entry.path("price"))
            _check_checkout_price(price, entry, mode)
            items.append({"id": new_id("li_"), "price": price["id"],
                          "quantity": entry.int("quantity", required=True, minimum=1)})
            prices.append(price)
        if len({price["currency"] for price in prices}) > 1:
            raise ApiError(400, "All prices on a Checkout Session must use the same currency.",
                           param="line_items")
        if mode == "subscription":
            cycles = {(pr["recurring"]["interval"], pr["recurring"]["interval_count"])
                      for pr in prices if pr["recurring"]}
            if not cycles:
                raise ApiError(400, "You must provide at least one recurring price in "
                               "`subscription` mode when using prices.", param="line_items")
            if len(cycles) > 1:
                raise ApiError(400, "Checkout does not support multiple prices with different "
                               "billing intervals.", param="line_items")
        return items

    def retrieve_checkout_session(self, p: Params, id: str) -> dict:
        return self.output("checkout_sessions", self.get("checkout_sessions", id), p)

    def list_checkout_sessions(self, p: Params) -> dict:
        filters = {name: p.str(name) for name in
                   ("customer", "status", "payment_intent", "subscription")}
        return self.page("checkout_sessions", p, lambda s: all(
            value is None or s[name] == value for name, value in filters.items()))

    def list_checkout_line_items(self, p: Params, id: str) -> dict:
        return self._session_line_items(self.get("checkout_sessions", id), p)

    def _session_line_items(self, session: dict, p: Params) -> dict:
        items = []
        for item in session["_line_items"]:
            price = self.db["prices"][item["price"]]
            amount = price["unit_amount"] * item["quantity"]
            items.append({"id": item["id"], "object": "item", "amount_discount": 0,
                          "amount_subtotal": amount, "amount_tax": 0, "amount_total": amount,
                          "currency": price["currency"],
                          "description": self.db["products"][price["product"]]["name"],
                          "price": self.render("prices", price), "quantity": item["quantity"]})
        limit = p.int("limit", default=10, minimum=1, maximum=100)
        return {"object": "list", "data": items[:limit], "has_more": len(items) > limit,
                "url": f"/v1/checkout/sessions/{session['id']}/line_items"}

    def expire_checkout_session(self, p: Params, id: str) -> dict:
        session = self.get("checkout_sessions", id)
        if session["status"] != "open":
            raise ApiError(400, 'Only Checkout Sessions with a status in ["open"] can be '
                           f"expired. This session has status `{session['status']}`.")
        session.update(status="expired", url=None)
        self.emit("checkout.session.expired", self.render("checkout_sessions", session))
        return self.output("checkout_sessions", session, p)

    def complete_checkout(self, session_id: str) -> dict:
        """The customer paid: create what Stripe creates, emitting events in its order."""
        session = self.get("checkout_sessions", session_id)
        if session["status"] == "complete":
            return self.render("checkout_sessions", session)
        if session["status"] != "open":
            raise ApiError(400, f"This Checkout Session is no longer open: its status is "
                           f"`{session['status']}`.")
        if session["mode"] == "payment":
            self._pay_session(session)
        else:
            self._subscribe_session(session)
        session.update(status="complete", payment_status="paid", url=None,
                       customer_details=self._customer_details(session))
        self.emit("checkout.session.completed", self.render("checkout_sessions", session))
        return self.render("checkout_sessions", session)

    def decline_checkout(self, session_id: str) -> dict:
        """The customer backed out: Stripe keeps the session open until it expires."""
        session = self.get("checkout_sessions", session_id)
        return self.render("checkout_sessions", session)

    def _customer_details(self, session: dict) -> dict:
        customer = self.db["customers"].get(session["customer"] or "", {})
        return {"address": None, "email": customer.get("email") or session["customer_email"],
                "name": customer.get("name"), "phone": None, "tax_exempt": "none",
                "tax_ids": []}

    def _pay_session(self, session: dict) -> None:
        data = session["_payment_intent_data"]
        intent = self.create("payment_intents", {
            "object": "payment_intent", "amount": session["amount_total"],
            "amount_capturable": 0, "amount_received": session["amount_total"],
            "capture_method": "automatic_async", "client_secret": None,
            "confirmation_method": "automatic", "created": now(),
            "currency": session["currency"], "customer": session["customer"],
            "description": data["description"], "latest_charge": None, "livemode": False,
            "metadata": data["metadata"], "payment_method": None,
            "payment_method_types": ["card"], "status": "succeeded"})
        intent["client_secret"] = f"{intent['id']}_secret_{new_id('', 25)}"
        session["payment_intent"] = intent["id"]
        self.emit("payment_intent.succeeded", self.render("payment_intents", intent))

    def _subscribe_session(self, session: dict) -> None:
        if not session["customer"]:
            session["customer"] = self._checkout_customer(session)["id"]
        items = session["_line_items"]
        recurring = [i for i in items if self.db["prices"][i["price"]]["recurring"]]
        one_time = [i for i in items if not self.db["prices"][i["price"]]["recurring"]]
        sub = self._create_subscription(session["customer"], recurring,
                                        session["_subscription_data"])
        invoice = self._create_invoice(
            sub, "subscription_create", paid=True,
            period=(sub["created"], sub["created"]),
            line_period=(sub["current_period_start"], sub["current_period_end"]),
            one_time=one_time)
        sub["latest_invoice"] = invoice["id"]
        session.update(subscription=sub["id"], invoice=invoice["id"])
        self.emit("customer.subscription.created", self.render("subscriptions", sub))
        self.emit("invoice.paid", self.render("invoices", invoice))

    def _checkout_customer(self, session: dict) -> dict:
        """Subscription-mode Checkout creates a customer when none was passed."""
        return self.create("customers", {
            "object": "customer", "address": None, "balance": 0, "created": now(),
            "currency": session["currency"], "default_source": None, "delinquent": False,
            "description": None, "discount": None, "email": session["customer_email"],
            "invoice_prefix": new_id("", 8).upper(),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None,
                                 "footer": None, "rendering_options": None},
            "livemode": False, "metadata": {}, "name": None, "next_invoice_sequence": 1,
            "phone": None, "preferred_locales": [], "shipping": None, "tax_exempt": "none",
            "test_clock": None})

    # -- subscriptions ----------------------------------------------------

    def _create_subscription(self, customer_id: str, items: list[dict], data: dict) -> dict:
        start = now()
        first_price = self.db["prices"][items[0]["price"]]
        sub = self.create("subscriptions", {
            "object": "subscription", "application": None,
            "automatic_tax": {"enabled": False, "liability": None},
            "billing_cycle_anchor": start, "cancel_at": None, "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically", "created": start,
            "currency": first_price["currency"], "current_period_end": None,
            "current_period_start": None, "customer": customer_id, "days_until_due": None,
            "default_payment_method": None, "description": data["description"],
            "discounts": [], "ended_at": None, "items": None, "latest_invoice": None,
            "livemode": False, "metadata": data["metadata"], "pause_collection": None,
            "start_date": start, "status": "active", "trial_end": None, "trial_start": None,
            "_cycle": 0})
        sub["items"] = {"object": "list", "data": [], "has_more": False, "total_count": 0,
                        "url": f"/v1/subscription_items?subscription={sub['id']}"}
        for item in items:
            self._add_item(sub, item["price"], item["quantity"])
        self._set_period(sub)
        return sub

    def _add_item(self, sub: dict, price_id: str, quantity: int) -> dict:
        item = {"id": new_id("si_", 14), "object": "subscription_item", "created": now(),
                "current_period_end": sub["current_period_end"],
                "current_period_start": sub["current_period_start"], "discounts": [],
                "metadata": {}, "price": price_id, "quantity": quantity,
                "subscription": sub["id"], "tax_rates": []}
        sub["items"]["data"].append(item)
        sub["items"]["total_count"] = len(sub["items"]["data"])
        return item

    def _cycle_of(self, sub: dict) -> tuple[str, int]:
        recurring = self.db["prices"][sub["items"]["data"][0]["price"]]["recurring"]
        return recurring["interval"], recurring["interval_count"]

    def _period_bounds(self, sub: dict, cycle: int) -> tuple[int, int]:
        interval, count = self._cycle_of(sub)
        anchor = sub["billing_cycle_anchor"]
        return shift(anchor, interval, cycle * count), shift(anchor, interval, (cycle + 1) * count)

    def _set_period(self, sub: dict) -> None:
        """Current period on the subscription and, as newer API versions read it, its items."""
        start, end = self._period_bounds(sub, sub["_cycle"])
        sub.update(current_period_start=start, current_period_end=end)
        for item in sub["items"]["data"]:
            item.update(current_period_start=start, current_period_end=end)

    def _render_subscription(self, out: dict, obj: dict) -> dict:
        for item in out["items"]["data"]:
            item["price"] = self.render("prices", self.db["prices"][item["price"]])
            item["plan"] = _plan(item["price"])
        single = out["items"]["data"][0] if len(out["items"]["data"]) == 1 else None
        out["plan"] = single["plan"] if single else None
        out["quantity"] = single["quantity"] if single else None
        return out

    def retrieve_subscription(self, p: Params, id: str) -> dict:
        return self.output("subscriptions", self.get("subscriptions", id), p)

    def list_subscriptions(self, p: Params) -> dict:
        customer, price = p.str("customer"), p.str("price")
        status = p.str("status", choices=SUBSCRIPTION_STATUSES)

        def keep(sub: dict) -> bool:
            if customer and sub["customer"] != customer:
                return False
            if price and all(i["price"] != price for i in sub["items"]["data"]):
                return False
            if status in (None, "all"):
                return status == "all" or sub["status"] != "canceled"
            if status == "ended":
                return sub["status"] in ("canceled", "incomplete_expired")
            return sub["status"] == status
        return self.page("subscriptions", p, keep)

    def update_subscription(self, p: Params, id: str) -> dict:
        sub = self.get("subscriptions", id)
        if sub["status"] == "canceled" and set(p.data) - {"metadata", "cancellation_details",
                                                          "expand"}:
            raise ApiError(400, "A canceled subscription can only update its "
                           "cancellation_details and metadata.")
        p.str("proration_behavior", choices=PRORATION_BEHAVIORS)
        before = self.render("subscriptions", sub)

        def change(draft: dict) -> None:
            if "cancel_at_period_end" in p:
                self._set_cancel_at_period_end(draft, p.bool("cancel_at_period_end"))
            if "description" in p:
                draft["description"] = p.str("description")
            draft["metadata"] = apply_metadata(draft["metadata"], p.metadata())
            cycle = self._cycle_of(draft)
            for entry in p.objects("items"):
                self._update_item(draft, entry)
            if self._cycle_of(draft) != cycle:
                # A new billing interval restarts the cycle from now, as on Stripe.
                draft.update(billing_cycle_anchor=now(), _cycle=0)
                self._set_period(draft)
        atomically(sub, change)
        self._emit_updated(sub, before)
        return self.output("subscriptions", sub, p)

    def _set_cancel_at_period_end(self, sub: dict, flag: bool) -> None:
        sub.update(cancel_at_period_end=flag,
                   cancel_at=sub["current_period_end"] if flag else None,
                   canceled_at=now() if flag else None)
        sub["cancellation_details"]["reason"] = "cancellation_requested" if flag else None

    def _update_item(self, sub: dict, entry: Params) -> None:
        """``items[n]``: with ``id`` change (or ``deleted``) that item, without add one."""
        item_id = entry.str("id")
        data = sub["items"]["data"]
        if item_id:
            item = next((i for i in data if i["id"] == item_id), None)
            if item is None:
                raise no_such("subscription item", item_id, param=entry.path("id"), status=400)
            if entry.bool("deleted", default=False):
                if len(data) == 1:
                    raise ApiError(400, "A subscription must have at least one active plan.",
                                   param=entry.path("deleted"))
                data.remove(item)
                sub["items"]["total_count"] = len(data)
                return
        else:
            item = self._add_item(sub, self._subscription_price(sub, entry)["id"], 1)
        if "price" in entry:
            item["price"] = self._subscription_price(sub, entry)["id"]
        if "quantity" in entry:
            item["quantity"] = entry.int("quantity", minimum=1)
        item["metadata"] = apply_metadata(item["metadata"], entry.metadata())

    def _subscription_price(self, sub: dict, entry: Params) -> dict:
        price = self.ref("prices", entry, "price")
        if price is None:
            raise missing_param(entry.path("price"))
        if not price["active"]:
            raise ApiError(400, "The price specified is inactive. This field only accepts "
                           "active prices.", param=entry.path("price"))
        if not price["recurring"]:
            raise ApiError(400, "The price specified is set to `type=one_time` but this field "
                           "only accepts prices with `type=recurring`.",
                           param=entry.path("price"))
        if price["currency"] != sub["currency"]:
            raise ApiError(400, f"The price's currency ({price['currency']}) must match the "
                           f"subscription's currency ({sub['currency']}).",
                           param=entry.path("price"))
        return price

    def _emit_updated(self, sub: dict, before: dict) -> None:
        """``customer.subscription.updated`` with the changed fields' old values."""
        after = self.render("subscriptions", sub)
        previous = {k: v for k, v in before.items() if after.get(k) != v}
        if previous:
            self.emit("customer.subscription.updated", after, previous)

    def cancel_subscription(self, p: Params, id: str) -> dict:
        sub = self.get("subscriptions", id)
        if sub["status"] == "canceled":
            raise ApiError(400, "This subscription has already been canceled.")
        details = p.sub("cancellation_details")
        sub["cancellation_details"].update(comment=details.str("comment"),
                                           feedback=details.str("feedback"))
        self._end_subscription(sub, ended_at=now())
        return self.output("subscriptions", sub, p)

    def _end_subscription(self, sub: dict, ended_at: int) -> None:
        sub.update(status="canceled", ended_at=ended_at,
                   canceled_at=sub["canceled_at"] or ended_at)
        sub["cancellation_details"]["reason"] = "cancellation_requested"
        self.emit("customer.subscription.deleted", self.render("subscriptions", sub))

    def renew_subscription(self, sub_id: str) -> dict:
        """Time passes to the period end: bill the next period, or end the subscription."""
        sub = self._live_subscription(sub_id)
        if sub["cancel_at_period_end"]:
            self._end_subscription(sub, ended_at=sub["current_period_end"])
            return self._with_invoice(sub)
        before = self.render("subscriptions", sub)
        previous_period = (sub["current_period_start"], sub["current_period_end"])
        sub["_cycle"] += 1
        self._set_period(sub)
        invoice = self._create_invoice(
            sub, "subscription_cycle", paid=True, period=previous_period,
            line_period=(sub["current_period_start"], sub["current_period_end"]))
        sub.update(latest_invoice=invoice["id"], status="active")
        self.emit("invoice.paid", self.render("invoices", invoice))
        self._emit_updated(sub, before)
        return self._with_invoice(sub)

    def fail_payment(self, sub_id: str) -> dict:
        """The renewal charge fails: an open invoice and a past_due subscription.

        The period is not advanced, so a later ``renew`` both bills and
        reactivates the subscription.
        """
        sub = self._live_subscription(sub_id)
        before = self.render("subscriptions", sub)
        invoice = self._create_invoice(
            sub, "subscription_cycle", paid=False,
            period=(sub["current_period_start"], sub["current_period_end"]),
            line_period=self._period_bounds(sub, sub["_cycle"] + 1))
        sub.update(latest_invoice=invoice["id"], status="past_due")
        self.emit("invoice.payment_failed", self.render("invoices", invoice))
        self._emit_updated(sub, before)
        return self._with_invoice(sub)

    def _live_subscription(self, sub_id: str) -> dict:
        sub = self.get("subscriptions", sub_id)
        if sub["status"] == "canceled":
            raise ApiError(400, f"Subscription {sub_id} is canceled.")
        return sub

    def _with_invoice(self, sub: dict) -> dict:
        return self.expand(self.render("subscriptions", sub),
                           Params({"expand": ["latest_invoice"]}))

    # -- invoices ---------------------------------------------------------

    def _create_invoice(self, sub: dict, reason: str, *, paid: bool, period: tuple,
                        line_period: tuple, one_time: list[dict] = ()) -> dict:
        """Invoice ``period_*`` is the period just ended (as Stripe reports it);
        each line's ``period`` is the service period being billed."""
        created = now()
        customer = self.db["customers"].get(sub["customer"], {})
        lines = [self._invoice_line(sub, item["price"], item["quantity"], line_period, item["id"])
                 for item in sub["items"]["data"]]
        lines += [self._invoice_line(sub, item["price"], item["quantity"], (created, created))
                  for item in one_time]
        total = sum(line["amount"] for line in lines)
        invoice = self.create("invoices", {
            "object": "invoice", "account_country": "GB", "amount_due": total,
            "amount_paid": total if paid else 0, "amount_remaining": 0 if paid else total,
            "attempt_count": 1, "attempted": True, "auto_advance": not paid,
            "billing_reason": reason, "collection_method": "charge_automatically",
            "created": created, "currency": sub["currency"], "customer": sub["customer"],
            "customer_email": customer.get("email"), "customer_name": customer.get("name"),
            "description": None, "hosted_invoice_url": None, "lines": None, "livemode": False,
            "metadata": {}, "next_payment_attempt": None if paid else created + 3 * 86400,
            "number": f"{customer.get('invoice_prefix', 'SANDBOX')}-"
                      f"{next(self._invoice_numbers):04d}",
            "paid": paid,
            "parent": {"quote_details": None, "type": "subscription_details",
                       "subscription_details": {"metadata": dict(sub["metadata"]),
                                                "subscription": sub["id"]}},
            "period_end": period[1], "period_start": period[0],
            "status": "paid" if paid else "open",
            "status_transitions": {"finalized_at": created, "marked_uncollectible_at": None,
                                   "paid_at": created if paid else None, "voided_at": None},
            "subscription": sub["id"], "subtotal": total, "total": total})
        for line in lines:
            line["invoice"] = invoice["id"]
        invoice["lines"] = {"object": "list", "data": lines, "has_more": False,
                            "total_count": len(lines), "url": f"/v1/invoices/{invoice['id']}/lines"}
        return invoice

    def _invoice_line(self, sub: dict, price_id: str, quantity: int, period: tuple,
                      item_id: str | None = None) -> dict:
        price = self.db["prices"][price_id]
        product = self.db["products"][price["product"]]
        label = format_amount(price["unit_amount"], price["currency"])
        cadence = f" {describe_recurring(price['recurring'])}" if price["recurring"] else ""
        parent = ({"type": "subscription_item_details", "invoice_item_details": None,
                   "subscription_item_details": {
                       "invoice_item": None, "proration": False,
                       "proration_details": {"credited_items": None},
                       "subscription": sub["id"], "subscription_item": item_id}}
                  if item_id else
                  {"type": "invoice_item_details", "subscription_item_details": None,
                   "invoice_item_details": {"invoice_item": new_id("ii_"), "proration": False,
                                            "proration_details": {"credited_items": None},
                                            "subscription": sub["id"]}})
        return {"id": new_id("il_"), "object": "line_item",
                "amount": price["unit_amount"] * quantity, "currency": price["currency"],
                "description": f"{quantity} × {product['name']} (at {label}{cadence})",
                "discountable": True, "discounts": [], "invoice": None, "livemode": False,
                "metadata": {}, "parent": parent,
                "period": {"end": period[1], "start": period[0]}, "price": price_id,
                "pricing": {"type": "price_details",
                            "unit_amount_decimal": str(price["unit_amount"]),
                            "price_details": {"price": price_id, "product": product["id"]}},
                "quantity": quantity, "subscription": sub["id"], "subscription_item": item_id,
                "type": "subscription" if item_id else "invoiceitem"}

    def _render_invoice(self, out: dict, obj: dict) -> dict:
        for line in out["lines"]["data"]:
            line["price"] = self.render("prices", self.db["prices"][line["price"]])
        return out

    def retrieve_invoice(self, p: Params, id: str) -> dict:
        return self.output("invoices", self.get("invoices", id), p)

    def list_invoices(self, p: Params) -> dict:
        filters = {"customer": p.str("customer"), "subscription": p.str("subscription"),
                   "status": p.str("status", choices=("draft", "open", "paid",
                                                      "uncollectible", "void"))}
        return self.page("invoices", p, lambda inv: all(
            value is None or inv[name] == value for name, value in filters.items()))

    # -- payment intents --------------------------------------------------

    def retrieve_payment_intent(self, p: Params, id: str) -> dict:
        return self.output("payment_intents", self.get("payment_intents", id), p)

    def list_payment_intents(self, p: Params) -> dict:
        customer = p.str("customer")
        return self.page("payment_intents", p,
                         lambda pi: customer is None or pi["customer"] == customer)

    # -- billing portal ---------------------------------------------------

    def create_billing_portal_session(self, p: Params) -> dict:
        if "customer" not in p:
            raise missing_param("customer")
        customer = self.ref("customers", p, "customer")
        session = self.create("billing_portal_sessions", {
            "object": "billing_portal.session", "configuration": "bpc_sandbox",
            "created": now(), "customer": customer["id"], "flow": None, "livemode": False,
            "locale": p.str("locale"), "on_behalf_of": None,
            "return_url": p.str("return_url"), "url": None})
        session["url"] = f"{self.base_url}/billing_portal/{session['id']}"
        return self.output("billing_portal_sessions", session, p)

    def portal_subscriptions(self, customer_id: str) -> list[dict]:
        return [self.render("subscriptions", s) for s in self.db["subscriptions"].values()
                if s["customer"] == customer_id and s["status"] != "canceled"]

    def switchable_prices(self, sub: dict) -> list[dict]:
        current = {item["price"]["id"] for item in sub["items"]["data"]}
        return [self.render("prices", p) for p in self.db["prices"].values()
                if p["active"] and p["recurring"] and p["currency"] == sub["currency"]
                and p["id"] not in current]

    def portal_action(self, portal_id: str, form: dict) -> str | None:
        """Apply a portal form post; returns where to send the customer next."""
        portal = self.get("billing_portal_sessions", portal_id)
        sub = self.get("subscriptions", form.get("subscription"), status=400,
                       param="subscription")
        if sub["customer"] != portal["customer"] or sub["status"] == "canceled":
            raise ApiError(400, "That subscription cannot be changed from this session.")
        if form.get("action") == "cancel":
            self.cancel_subscription(Params(), sub["id"])
        elif form.get("action") == "switch":
            item = sub["items"]["data"][0]
            self.update_subscription(Params({"items": [{"id": item["id"],
                                                        "price": form.get("price", "")}],
                                             "proration_behavior": "create_prorations"}),
                                     sub["id"])
        else:
            raise ApiError(400, "Unknown portal action.", param="action")
        return portal["return_url"]

    # -- webhook endpoints ------------------------------------------------

    def create_webhook_endpoint(self, p: Params) -> dict:
        url = p.str("url", required=True)
        events = p.strings("enabled_events")
        if not events:
            raise missing_param("enabled_events")
        secret = new_id("whsec_", 32)
        endpoint = self.create("webhook_endpoints", {
            "object": "webhook_endpoint", "api_version": p.str("api_version"),
            "application": None, "created": now(), "description": p.str("description"),
            "enabled_events": events, "livemode": False,
            "metadata": apply_metadata({}, p.metadata()), "status": "enabled", "url": url,
            "_secret": secret})
        self.dispatcher.add(endpoint["id"], url, secret, events)
        return {**self.output("webhook_endpoints", endpoint, p), "secret": secret}

    def retrieve_webhook_endpoint(self, p: Params, id: str) -> dict:
        return self.output("webhook_endpoints", self.get("webhook_endpoints", id), p)

    def list_webhook_endpoints(self, p: Params) -> dict:
        return self.page("webhook_endpoints", p)

    def delete_webhook_endpoint(self, p: Params, id: str) -> dict:
        self.get("webhook_endpoints", id)
        del self.db["webhook_endpoints"][id]
        self.dispatcher.remove(id)
        return {"id": id, "object": "webhook_endpoint", "deleted": True}


def _type_matches(pattern: str, event_type: str) -> bool:
    """Stripe's event type filter: exact, or a ``*`` wildcard such as ``invoice.*``."""
    if pattern.endswith("*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def _in_range(value: int, bounds: Params) -> bool:
    checks = {"gt": lambda b: value > b, "gte": lambda b: value >= b,
              "lt": lambda b: value < b, "lte": lambda b: value <= b}
    return all(check(bounds.int(op)) for op, check in checks.items() if op in bounds)


def _email(p: Params) -> str | None:
    email = p.str("email")
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise ApiError(400, f"Invalid email address: {email}", code="email_invalid",
                       param="email")
    return email


def _set_strings(obj: dict, p: Params, names: tuple) -> None:
    """Optional string fields on update: posted empty means unset."""
    for name in names:
        if name in p:
            obj[name] = p.str(name)


def _intent_data(p: Params) -> dict:
    return {"metadata": apply_metadata({}, p.metadata()), "description": p.str("description")}


def _reject_for_mode(p: Params, mode: str) -> None:
    wrong = "subscription_data" if mode == "payment" else "payment_intent_data"
    if wrong in p:
        raise ApiError(400, f"You can not pass `{wrong}` in `{mode}` mode.", param=wrong)


def _check_checkout_price(price: dict, entry: Params, mode: str) -> None:
    if not price["active"]:
        raise ApiError(400, "The price specified is inactive. This field only accepts active "
                       "prices.", param=entry.path("price"))
    if mode == "payment" and price["recurring"]:
        raise ApiError(400, "You specified `payment` mode but passed a recurring price. Either "
                       "switch to `subscription` mode or use only one-time prices.",
                       param=entry.path("price"))


def _plan(price: dict) -> dict:
    """The legacy ``plan`` view of a recurring price, still present on subscriptions."""
    recurring = price["recurring"] or {}
    return {"id": price["id"], "object": "plan", "active": price["active"],
            "amount": price["unit_amount"], "amount_decimal": price["unit_amount_decimal"],
            "billing_scheme": "per_unit", "created": price["created"],
            "currency": price["currency"], "interval": recurring.get("interval"),
            "interval_count": recurring.get("interval_count"), "livemode": False,
            "metadata": dict(price["metadata"]), "meter": None, "nickname": price["nickname"],
            "product": price["product"], "tiers_mode": None, "transform_usage": None,
            "trial_period_days": None, "usage_type": "licensed"}


# --------------------------------------------------------------------------
# Hosted pages
# --------------------------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; color: #1a1f36; }}
.card {{ border: 1px solid #e3e8ee; border-radius: 8px; padding: 1.5rem; margin-bottom: 1rem; }}
.amount {{ font-size: 2rem; font-weight: 600; }}
.muted {{ color: #697386; }}
button {{ font-size: 1rem; padding: .6rem 1.2rem; border-radius: 6px; border: 0; cursor: pointer; }}
.primary {{ background: #635bff; color: white; }}
.secondary {{ background: #e3e8ee; }}
form {{ display: inline-block; margin: .25rem .5rem .25rem 0; }}
.badge {{ font-size: .8rem; background: #fde68a; padding: 0 .4rem; border-radius: 4px; }}
</style></head><body>
<p class="muted">Stripe sandbox &middot; test mode</p>
{body}
</body></html>"""


def page(title: str, body: str) -> str:
    return _PAGE.format(title=html.escape(title), body=body)


def _button(label: str, css: str, **fields: str) -> str:
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in fields.items())
    return f'<form method="post">{inputs}<button class="{css}">{html.escape(label)}</button></form>'


def _checkout_row(item: dict) -> str:
    price = item["price"]
    nickname = f" ({price['nickname']})" if price["nickname"] else ""
    amount = format_amount(item["amount_total"], item["currency"])
    return (f"<li>{html.escape(item['description'] + nickname)} &times; {item['quantity']}"
            f" &mdash; {html.escape(amount)} "
            f"{html.escape(describe_recurring(price['recurring']))}</li>")


def checkout_page(state: SandboxState, session: dict) -> str:
    items = state._session_line_items(session, Params())["data"]
    title = items[0]["description"] if len(items) == 1 else "Your order"
    total = format_amount(session["amount_total"], session["currency"])
    cadence = describe_recurring(items[0]["price"]["recurring"]) if len(items) == 1 else ""
    rows = "".join(_checkout_row(item) for item in items)
    if session["status"] != "open":
        action = f"<p>This checkout session is <strong>{session['status']}</strong>.</p>"
        if session["status"] == "complete" and session["success_url"]:
            target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
            action += f'<p><a href="{html.escape(target)}">Continue</a></p>'
    else:
        action = (_button(f"Pay {total}", "primary", action="pay")
                  + _button("Decline", "secondary", action="decline"))
    body = (f'<div class="card"><h1>{html.escape(title)}</h1>'
            f'<p class="amount">{html.escape(total)} <span class="muted">'
            f"{html.escape(cadence)}</span></p><ul>{rows}</ul>"
            f'<p class="muted">Mode: {session["mode"]}</p>{action}</div>')
    return page(f"Checkout - {title}", body)


def portal_page(state: SandboxState, portal: dict) -> str:
    customer = state.db["customers"].get(portal["customer"], {})
    cards = []
    for sub in state.portal_subscriptions(portal["customer"]):
        item = sub["items"]["data"][0]
        price = item["price"]
        name = state.db["products"][price["product"]]["name"]
        when = datetime.datetime.fromtimestamp(sub["current_period_end"], datetime.timezone.utc)
        verb = "Cancels" if sub["cancel_at_period_end"] else "Renews"
        switches = "".join(
            _button(f"Switch to {state.db['products'][p['product']]['name']}"
                    f"{' (' + p['nickname'] + ')' if p['nickname'] else ''} "
                    f"{format_amount(p['unit_amount'], p['currency'])} "
                    f"{describe_recurring(p['recurring'])}",
                    "secondary", action="switch", subscription=sub["id"], price=p["id"])
            for p in state.switchable_prices(sub))
        amount = format_amount(price["unit_amount"], price["currency"])
        cards.append(
            f'<div class="card"><h2>{html.escape(name)} <span class="badge">'
            f"{sub['status']}</span></h2><p>{html.escape(amount)} "
            f"{html.escape(describe_recurring(price['recurring']))}</p>"
            f'<p class="muted">{verb} on {when:%d %b %Y}</p>'
            f'{_button("Cancel subscription", "primary", action="cancel", subscription=sub["id"])}'
            f"{switches}</div>")
    back = (f'<p><a href="{html.escape(portal["return_url"])}">Return</a></p>'
            if portal["return_url"] else "")
    body = (f"<h1>Billing</h1><p>{html.escape(customer.get('email') or portal['customer'])}</p>"
            + ("".join(cards) or "<p>No active subscriptions.</p>") + back)
    return page("Billing portal", body)


# --------------------------------------------------------------------------
# HTTP layer
# --------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict | None = None) -> "Response":
        return cls(status, json.dumps(payload, indent=2).encode(),
                   {"Content-Type": "application/json", **(headers or {})})

    @classmethod
    def html(cls, status: int, text: str) -> "Response":
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def redirect(cls, location: str) -> "Response":
        return cls(303, b"", {"Location": location})


def _compile(routes: list[tuple[str, str, str]]) -> list[tuple[str, re.Pattern, str]]:
    return [(method, re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"), target)
            for method, pattern, target in routes]


# (method, path, SandboxState method); handlers take (params, **path ids).
API_ROUTES = _compile([
    ("POST", "/v1/customers", "create_customer"),
    ("GET", "/v1/customers", "list_customers"),
    ("GET", "/v1/customers/{id}", "retrieve_customer"),
    ("POST", "/v1/customers/{id}", "update_customer"),
    ("DELETE", "/v1/customers/{id}", "delete_customer"),
    ("POST", "/v1/products", "create_product"),
    ("GET", "/v1/products", "list_products"),
    ("GET", "/v1/products/{id}", "retrieve_product"),
    ("POST", "/v1/products/{id}", "update_product"),
    ("POST", "/v1/prices", "create_price"),
    ("GET", "/v1/prices", "list_prices"),
    ("GET", "/v1/prices/{id}", "retrieve_price"),
    ("POST", "/v1/prices/{id}", "update_price"),
    ("POST", "/v1/checkout/sessions", "create_checkout_session"),
    ("GET", "/v1/checkout/sessions", "list_checkout_sessions"),
    ("GET", "/v1/checkout/sessions/{id}", "retrieve_checkout_session"),
    ("GET", "/v1/checkout/sessions/{id}/line_items", "list_checkout_line_items"),
    ("POST", "/v1/checkout/sessions/{id}/expire", "expire_checkout_session"),
    ("GET", "/v1/payment_intents", "list_payment_intents"),
    ("GET", "/v1/payment_intents/{id}", "retrieve_payment_intent"),
    ("GET", "/v1/subscriptions", "list_subscriptions"),
    ("GET", "/v1/subscriptions/{id}", "retrieve_subscription"),
    ("POST", "/v1/subscriptions/{id}", "update_subscription"),
    ("DELETE", "/v1/subscriptions/{id}", "cancel_subscription"),
    ("GET", "/v1/invoices", "list_invoices"),
    ("GET", "/v1/invoices/{id}", "retrieve_invoice"),
    ("POST", "/v1/billing_portal/sessions", "create_billing_portal_session"),
    ("GET", "/v1/events", "list_events"),
    ("GET", "/v1/events/{id}", "retrieve_event"),
    ("POST", "/v1/webhook_endpoints", "create_webhook_endpoint"),
    ("GET", "/v1/webhook_endpoints", "list_webhook_endpoints"),
    ("GET", "/v1/webhook_endpoints/{id}", "retrieve_webhook_endpoint"),
    ("DELETE", "/v1/webhook_endpoints/{id}", "delete_webhook_endpoint"),
])

# (method, path, SandboxApp method); no API key needed.
LOCAL_ROUTES = _compile([
    ("GET", "/_sandbox/health", "health"),
    ("POST", "/_sandbox/reset", "reset"),
    ("POST", "/_sandbox/checkout/{id}/complete", "control_complete"),
    ("POST", "/_sandbox/checkout/{id}/decline", "control_decline"),
    ("POST", "/_sandbox/subscriptions/{id}/renew", "control_renew"),
    ("POST", "/_sandbox/subscriptions/{id}/fail_payment", "control_fail_payment"),
    ("GET", "/_sandbox/events/{id}/deliveries", "control_deliveries"),
    ("GET", "/checkout/{id}", "checkout_get"),
    ("POST", "/checkout/{id}", "checkout_post"),
    ("GET", "/billing_portal/{id}", "portal_get"),
    ("POST", "/billing_portal/{id}", "portal_post"),
])


def _route(routes: list, method: str, path: str) -> tuple[str, dict] | None:
    for route_method, pattern, target in routes:
        match = pattern.match(path)
        if match and route_method == method:
            return target, {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
    return None


@dataclass
class _Stored:
    endpoint: str
    fingerprint: str
    response: Response
    request_id: str


class SandboxApp:
    """Turns HTTP requests into state calls: auth, idempotency, routing, error shapes."""

    def __init__(self, state: SandboxState, api_key: str | None, on_reset: Callable[[], None]):
        self.state, self.api_key, self.on_reset = state, api_key, on_reset
        self.idempotency: dict[str, _Stored] = {}

    def handle(self, method: str, raw_path: str, body: str, headers) -> Response:
        url = urllib.parse.urlsplit(raw_path)
        try:
            if url.path.startswith("/v1/"):
                return self._api(method, url.path, url.query, body, headers)
            return self._local(method, url.path, body)
        except ApiError as exc:
            return Response.json(exc.status, exc.payload())

    # -- /v1 ----------------------------------------------------------------

    def _api(self, method: str, path: str, query: str, body: str, headers) -> Response:
        request_id = new_id("req_", 14)
        extra = {"Request-Id": request_id,
                 "Stripe-Version": headers.get("Stripe-Version") or self.state.api_version}
        try:
            self._authenticate(headers)
            route = _route(API_ROUTES, method, path)
            if route is None:
                raise ApiError(404, f"Unrecognized request URL ({method}: {path}). Please see "
                               "https://stripe.com/docs or we can help at "
                               "https://support.stripe.com/.")
            params = parse_params("&".join(part for part in (query, body) if part))
            key = headers.get("Idempotency-Key") if method == "POST" else None
            with self.state.lock:
                return self._execute(route, params, key, f"{method} {path}", request_id, extra)
        except ApiError as exc:
            return Response.json(exc.status, exc.payload(), extra)

    def _execute(self, route, params: dict, key: str | None, endpoint: str, request_id: str,
                 extra: dict) -> Response:
        """Run a handler, replaying the stored result when an idempotency key repeats."""
        fingerprint = json.dumps(params, sort_keys=True)
        stored = self.idempotency.get(key) if key else None
        if stored:
            return self._replay(stored, key, endpoint, fingerprint, extra)
        target, ids = route
        self.state.request = {"id": request_id, "idempotency_key": key}
        try:
            response = Response.json(200, getattr(self.state, target)(Params(params), **ids),
                                     extra)
        finally:
            self.state.request = None
        if key:
            response.headers["Idempotency-Key"] = key
            self.idempotency[key] = _Stored(endpoint, fingerprint, response, request_id)
        return response

    @staticmethod
    def _replay(stored: _Stored, key: str, endpoint: str, fingerprint: str,
                extra: dict) -> Response:
        if stored.endpoint != endpoint:
            raise ApiError(400, "Keys for idempotent requests can only be used for the same "
                           f"endpoint they were first used for ('{stored.endpoint}' vs "
                           f"'{endpoint}'). Try using a key other than '{key}' if you meant "
                           "to execute a different request.", error_type="idempotency_error")
        if stored.fingerprint != fingerprint:
            raise ApiError(400, "Keys for idempotent requests can only be used with the same "
                           f"parameters they were first used with. Try using a key other "
                           f"than '{key}' if you meant to execute a different request.",
                           error_type="idempotency_error")
        headers = {**stored.response.headers, **extra, "Idempotent-Replayed": "true",
                   "Original-Request": stored.request_id}
        return Response(stored.response.status, stored.response.body, headers)

    def _authenticate(self, headers) -> None:
        key = _api_key(headers.get("Authorization") or "")
        if not key:
            raise ApiError(401, "You did not provide an API key. You need to provide your API "
                           "key in the Authorization header, using Bearer auth (e.g. "
                           "'Authorization: Bearer YOUR_SECRET_KEY'). See "
                           "https://stripe.com/docs/api#authentication for details, or we can "
                           "help at https://support.stripe.com/.")
        valid = (key == self.api_key) if self.api_key else (
            key.startswith(("sk_test_", "rk_test_")) and len(key) > 8)
        if not valid:
            masked = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:]
            raise ApiError(401, f"Invalid API Key provided: {masked}")

    # -- /_sandbox and hosted pages ---------------------------------------

    def _local(self, method: str, path: str, body: str) -> Response:
        route = _route(LOCAL_ROUTES, method, path)
        if route is None:
            if path.startswith("/_sandbox/"):
                raise ApiError(404, f"Unrecognized sandbox URL ({method}: {path}).")
            return Response.html(404, page("Not found", "<h1>Not found</h1>"))
        target, ids = route
        form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        with self.state.lock:
            result = getattr(self, target)(form, **ids)
        return result if isinstance(result, Response) else Response.json(200, result)

    def health(self, form: dict) -> dict:
        return {"ok": True}

    def reset(self, form: dict) -> dict:
        self.on_reset()
        return {"ok": True}

    def control_complete(self, form: dict, id: str) -> dict:
        return self.state.complete_checkout(id)

    def control_decline(self, form: dict, id: str) -> dict:
        return self.state.decline_checkout(id)

    def control_renew(self, form: dict, id: str) -> dict:
        return self.state.renew_subscription(id)

    def control_fail_payment(self, form: dict, id: str) -> dict:
        return self.state.fail_payment(id)

    def control_deliveries(self, form: dict, id: str) -> dict:
        event = self.state.get("events", id)
        return {"object": "list", "data": copy.deepcopy(event["_attempts"]),
                "pending_webhooks": event["pending_webhooks"],
                "url": f"/_sandbox/events/{id}/deliveries"}

    def checkout_get(self, form: dict, id: str) -> Response:
        session = self.state.db["checkout_sessions"].get(id)
        if session is None:
            return Response.html(404, page("Not found", "<h1>Checkout session not found</h1>"))
        return Response.html(200, checkout_page(self.state, session))

    def checkout_post(self, form: dict, id: str) -> Response:
        """Pay completes the session then redirects to success_url; Decline leaves it open."""
        if form.get("action") == "decline":
            session = self.state.decline_checkout(id)
            target = session["cancel_url"]
        else:
            session = self.state.complete_checkout(id)
            target = session["success_url"]
        if not target:
            return Response.html(200, page("Checkout", f"<h1>Payment {session['status']}</h1>"))
        return Response.redirect(target.replace("{CHECKOUT_SESSION_ID}", session["id"]))

    def portal_get(self, form: dict, id: str) -> Response:
        portal = self.state.db["billing_portal_sessions"].get(id)
        if portal is None:
            return Response.html(404, page("Not found", "<h1>Portal session not found</h1>"))
        return Response.html(200, portal_page(self.state, portal))

    def portal_post(self, form: dict, id: str) -> Response:
        target = self.state.portal_action(id, form)
        return Response.redirect(target or f"/billing_portal/{id}")


def _api_key(authorization: str) -> str | None:
    """Bearer auth as the SDKs send it, or basic auth as ``curl -u sk_test_...:`` does."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip()).decode().partition(":")[0] or None
        except (ValueError, UnicodeDecodeError):
            return None
    return None


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "StripeSandbox/1.0"
    # Keep-alive clients (the SDK's requests session) otherwise hit the
    # Nagle/delayed-ACK stall: ~40 ms per call when headers and body are
    # written separately. Buffer the response and send it in one go.
    disable_nagle_algorithm = True
    wbufsize = -1

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        try:
            response = self.server.app.handle(method, self.path, body, self.headers)
        except Exception as exc:  # keep serving; report like Stripe's 500s
            response = Response.json(500, {"error": {"type": "api_error",
                                                     "message": f"Sandbox error: {exc!r}"}})
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SandboxApp, verbose: bool):
        self.app, self.verbose = app, verbose
        super().__init__(address, _RequestHandler)


# --------------------------------------------------------------------------
# Public interface
# --------------------------------------------------------------------------

STARTUP_ENDPOINT = "startup"


class StripeSandbox:
    """An offline Stripe: start it, point the SDK's API base at ``.url``.

    ``webhook_url``/``webhook_secret`` configure the endpoint every event is
    forwarded to (like ``stripe listen --forward-to``); a secret is generated
    when none is given. ``retry_delays`` are the pauses between delivery
    attempts (attempts = len + 1); ``api_key``, if set, is the only key
    accepted, otherwise any ``sk_test_``/``rk_test_`` key is.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, webhook_url: str | None = None,
                 webhook_secret: str | None = None, *, api_key: str | None = None,
                 retry_delays: tuple = DEFAULT_RETRY_DELAYS, delivery_timeout: float = 10.0,
                 api_version: str = API_VERSION, verbose: bool = False):
        self.host, self.port, self.verbose = host, port, verbose
        self._cond = threading.Condition(threading.RLock())
        self._dispatcher = Dispatcher(self._cond, tuple(retry_delays), delivery_timeout)
        self.state = SandboxState(self._dispatcher, self._cond, api_version)
        self._app = SandboxApp(self.state, api_key, self.reset)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.webhook_url: str | None = None
        self._webhook_secret = webhook_secret or new_id("whsec_", 32)
        if webhook_url:
            self.set_webhook(webhook_url, self._webhook_secret)

    # -- lifecycle --------------------------------------------------------

    def start(self) -> "StripeSandbox":
        self._server = _Server((self.host, self.port), self._app, self.verbose)
        self.port = self._server.server_address[1]
        self.state.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name="stripe-sandbox")
        self._thread.start()
        if self.webhook_url and STARTUP_ENDPOINT not in self._dispatcher.workers:
            self.set_webhook(self.webhook_url)  # restarted after stop()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._cond:
            workers = self._dispatcher.stop_all()
        for worker in workers:
            worker.join(timeout=2)

    def __enter__(self) -> "StripeSandbox":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("The sandbox is not running; call start() first.")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    # -- webhooks ---------------------------------------------------------

    @property
    def webhook_secret(self) -> str:
        return self._webhook_secret

    def set_webhook(self, url: str | None, secret: str | None = None) -> str:
        """Forward every event to ``url`` (None stops forwarding); returns the signing secret."""
        with self._cond:
            self._webhook_secret = secret or self._webhook_secret
            self.webhook_url = url
            self._dispatcher.remove(STARTUP_ENDPOINT)
            if url:
                self._dispatcher.add(STARTUP_ENDPOINT, url, self._webhook_secret, ["*"])
        return self._webhook_secret

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery (retries included) has finished or given up."""
        with self._cond:
            return self._cond.wait_for(self._dispatcher.idle, timeout)

    # -- inspection and time controls (same effects as /_sandbox/) --------

    def events(self, type: str | None = None) -> list[dict]:
        """Events oldest first (``GET /v1/events`` lists newest first, like Stripe)."""
        with self._cond:
            return [self.state.render("events", e) for e in self.state.db["events"].values()
                    if type is None or _type_matches(type, e["type"])]

    def event(self, event_id: str) -> dict:
        with self._cond:
            return self.state.render("events", self.state.get("events", event_id))

    def deliveries(self, event_id: str | None = None) -> list[dict]:
        """Delivery attempts, for one event or all of them in creation order."""
        with self._cond:
            events = ([self.state.get("events", event_id)] if event_id
                      else self.state.db["events"].values())
            return [{"event": e["id"], "type": e["type"], **a} for e in events
                    for a in copy.deepcopy(e["_attempts"])]

    def get(self, object_id: str) -> dict:
        """Any stored object by id, rendered as the API returns it."""
        with self._cond:
            found = self.state.find(object_id)
            if found is None:
                raise KeyError(object_id)
            return self.state.render(*found)

    def complete_checkout(self, session_id: str) -> dict:
        with self._cond:
            return self.state.complete_checkout(session_id)

    def decline_checkout(self, session_id: str) -> dict:
        with self._cond:
            return self.state.decline_checkout(session_id)

    def renew_subscription(self, subscription_id: str) -> dict:
        with self._cond:
            return self.state.renew_subscription(subscription_id)

    def fail_payment(self, subscription_id: str) -> dict:
        with self._cond:
            return self.state.fail_payment(subscription_id)

    def reset(self) -> None:
        """Forget every object, event and idempotency key; API-registered endpoints too."""
        with self._cond:
            for endpoint_id in list(self.state.db["webhook_endpoints"]):
                self._dispatcher.remove(endpoint_id)
            for worker in self._dispatcher.workers.values():
                worker.queue.clear()
            self.state.reset()
            self._app.idempotency.clear()
            self._cond.notify_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the offline Stripe sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--webhook-url", help="forward every event here, signed")
    parser.add_argument("--webhook-secret", help="signing secret (whsec_...); generated if unset")
    parser.add_argument("--api-key", help="accept only this key (default: any sk_test_ key)")
    parser.add_argument("--retry-delays", default=",".join(map(str, DEFAULT_RETRY_DELAYS)),
                        help="seconds between webhook delivery attempts, comma separated")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    delays = tuple(float(d) for d in args.retry_delays.split(",") if d.strip())
    sandbox = StripeSandbox(args.host, args.port, args.webhook_url, args.webhook_secret,
                            api_key=args.api_key, retry_delays=delays,
                            verbose=args.verbose).start()
    print(f"Stripe sandbox listening on {sandbox.url}", flush=True)
    print(f"Webhook signing secret: {sandbox.webhook_secret}", flush=True)
    if args.webhook_url:
        print(f"Forwarding events to {args.webhook_url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
