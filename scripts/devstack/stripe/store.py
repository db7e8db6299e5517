"""Storage shared by every resource: the kinds of object and their ids, the
tables, rendering, ``expand[]`` and list pagination."""

from __future__ import annotations

import itertools
import threading
from typing import Any, Callable, NamedTuple

from .fields import with_every_field
from .params import Params, no_such
from .routes import route
from .util import new_id, public
from .webhooks import Dispatcher


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
    "payment_methods": Kind("pm_", 24, "PaymentMethod", "/v1/payment_methods"),
    "setup_intents": Kind("seti_", 24, "setupintent", "/v1/setup_intents"),
    "subscriptions": Kind("sub_", 24, "subscription", "/v1/subscriptions"),
    "invoices": Kind("in_", 24, "invoice", "/v1/invoices"),
    "invoice_payments": Kind("inpay_", 24, "invoice_payment", "/v1/invoice_payments"),
    "charges": Kind("ch_", 24, "charge", "/v1/charges"),
    "refunds": Kind("re_", 24, "refund", "/v1/refunds"),
    "disputes": Kind("dp_", 24, "dispute", "/v1/disputes"),
    "subscription_schedules": Kind("sub_sched_", 24, "subscription_schedule",
                                   "/v1/subscription_schedules"),
    "billing_portal_sessions": Kind("bps_", 24, "billing_portal.session",
                                    "/v1/billing_portal/sessions"),
    "events": Kind("evt_", 24, "event", "/v1/events"),
    "webhook_endpoints": Kind("we_", 24, "webhook_endpoint", "/v1/webhook_endpoints"),
}

# Fields holding an id that ``expand[]`` may replace with the object.
EXPANDABLE = {"customer": "customers", "product": "products", "price": "prices",
              "default_price": "prices", "subscription": "subscriptions",
              "latest_invoice": "invoices", "invoice": "invoices",
              "payment_intent": "payment_intents", "charge": "charges",
              "latest_charge": "charges", "schedule": "subscription_schedules",
              "payment_method": "payment_methods", "default_payment_method": "payment_methods",
              "setup_intent": "setup_intents"}


def retriever(kind: str, path: str, *, allow_deleted: bool = False) -> Callable[..., dict]:
    """The ``GET <path>`` handler of one kind: the stored object, rendered and expanded."""
    @route("GET", path)
    def retrieve(self: "Store", p: Params, id: str) -> dict:
        return self.output(kind, self.get(kind, id, allow_deleted=allow_deleted), p)
    return retrieve


class Store:
    """The in-memory account's tables and what every resource shares: ids,
    lookups, rendering (``_render_<kind>`` hooks), ``expand[]`` and pages.

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
        """The object as the API shows it: without bookkeeping, with every
        field Stripe sends (``fields.py``)."""
        out = public(obj)
        if obj.get("deleted"):
            return out
        renderer = getattr(self, f"_render_{kind}", None)
        return with_every_field(renderer(out, obj) if renderer else out)

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
