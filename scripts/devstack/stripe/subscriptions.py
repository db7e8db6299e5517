"""Subscriptions: created by Checkout, listed, updated (items, prices,
cancel at period end), cancelled, and moved through time by the
``/_sandbox/`` controls (renewal, failed payment)."""

from __future__ import annotations

from .params import ApiError, Params, missing_param, no_such
from .routes import route
from .store import retriever
from .util import apply_metadata, atomically, new_id, now, shift

SUBSCRIPTION_STATUSES = ("active", "past_due", "unpaid", "canceled", "incomplete",
                         "incomplete_expired", "trialing", "paused", "all", "ended")
PRORATION_BEHAVIORS = ("create_prorations", "none", "always_invoice")


class Subscriptions:
    """Mixed into the sandbox state (see ``state.py``)."""

    def _create_subscription(self, customer_id: str, items: list[dict], data: dict) -> dict:
        start = now()
        first_price = self.db["prices"][items[0]["price"]]
        sub = self.create("subscriptions", {
            "object": "subscription", "application": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": start,
            # Flexible billing is the default for new subscriptions since 2025-09-30.clover.
            "billing_mode": {"flexible": {"proration_discounts": "included"},
                             "type": "flexible", "updated_at": start},
            "billing_schedules": [], "cancel_at": None, "cancel_at_period_end": False,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically", "created": start,
            "currency": first_price["currency"], "customer": customer_id,
            "days_until_due": None, "default_payment_method": None, "default_tax_rates": [],
            "description": data["description"], "discounts": [], "ended_at": None,
            "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
            "items": None, "latest_invoice": None,
            "livemode": False, "metadata": data["metadata"], "pause_collection": None,
            "payment_settings": {"save_default_payment_method": "off"},
            "start_date": start, "status": "active", "trial_end": None,
            "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
            "trial_start": None, "_cycle": 0})
        sub["items"] = {"object": "list", "data": [], "has_more": False,
                        "url": f"/v1/subscription_items?subscription={sub['id']}"}
        for item in items:
            self._add_item(sub, item["price"], item["quantity"])
        self._set_period(sub)
        return sub

    def _add_item(self, sub: dict, price_id: str, quantity: int) -> dict:
        item = {"id": new_id("si_", 14), "object": "subscription_item", "created": now(),
                "current_period_end": None, "current_period_start": None, "discounts": [],
                "metadata": {}, "price": price_id, "quantity": quantity,
                "subscription": sub["id"], "tax_rates": []}
        sub["items"]["data"].append(item)
        return item

    def _cycle_of(self, sub: dict) -> tuple[str, int]:
        recurring = self.db["prices"][sub["items"]["data"][0]["price"]]["recurring"]
        return recurring["interval"], recurring["interval_count"]

    def _period_bounds(self, sub: dict, cycle: int) -> tuple[int, int]:
        interval, count = self._cycle_of(sub)
        anchor = sub["billing_cycle_anchor"]
        return shift(anchor, interval, cycle * count), shift(anchor, interval, (cycle + 1) * count)

    def _set_period(self, sub: dict) -> None:
        """The current period lives on each item (the subscription has none since
        2025-03-31.basil); all items share the subscription's cycle here."""
        start, end = self._period_bounds(sub, sub["_cycle"])
        for item in sub["items"]["data"]:
            item.update(current_period_start=start, current_period_end=end)

    def _render_subscriptions(self, out: dict, obj: dict) -> dict:
        out["schedule"] = obj.get("_schedule")
        for item in out["items"]["data"]:
            item["price"] = self.render("prices", self.db["prices"][item["price"]])
            item["plan"] = _plan(item["price"])
        return out

    retrieve_subscription = retriever("subscriptions", "/v1/subscriptions/{id}")

    @route("GET", "/v1/subscriptions")
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

    @route("POST", "/v1/subscriptions/{id}")
    def update_subscription(self, p: Params, id: str) -> dict:
        sub = self.get("subscriptions", id)
        if sub["status"] == "canceled" and set(p.data) - {"metadata", "cancellation_details",
                                                          "expand"}:
            raise ApiError(400, "A canceled subscription can only update its "
                           "cancellation_details and metadata.")
        proration = p.str("proration_behavior", choices=PRORATION_BEHAVIORS)
        anchor_now = p.str("billing_cycle_anchor", choices=("now", "unchanged")) == "now"
        before = self.render("subscriptions", sub)
        old_price, old_period = sub["items"]["data"][0]["price"], current_period(sub)

        def change(draft: dict) -> None:
            if "cancel_at_period_end" in p:
                self._set_cancel_at_period_end(draft, p.bool("cancel_at_period_end"))
            if "description" in p:
                draft["description"] = p.str("description")
            draft["metadata"] = apply_metadata(draft["metadata"], p.metadata())
            cycle = self._cycle_of(draft)
            for entry in p.objects("items"):
                self._update_item(draft, entry)
            if self._cycle_of(draft) != cycle or anchor_now:
                # A new billing interval restarts the cycle from now, as on Stripe.
                draft.update(billing_cycle_anchor=now(), _cycle=0)
            self._set_period(draft)  # items added here take the current period too
        atomically(sub, change)
        self._emit_updated(sub, before)
        if anchor_now and proration == "always_invoice":
            self._invoice_switch(sub, old_price, old_period)
        return self.output("subscriptions", sub, p)

    def _invoice_switch(self, sub: dict, old_price: str, old_period: tuple) -> None:
        """A switch that starts a new period now, invoiced and paid at once: the
        new price's full period less the unused time of the old one."""
        start, end = old_period
        unused = max(0, end - now()) / max(1, end - start)
        credit = self._invoice_line(sub, old_price, 1, (now(), end), proration=True)
        credit["amount"] = credit["subtotal"] = -round(credit["amount"] * unused)
        credit["description"] = "Unused time on " + credit["description"]
        invoice = self._create_invoice(sub, "subscription_update", paid=True,
                                       period=(now(), now()), line_period=current_period(sub),
                                       extra_lines=[credit])
        sub["latest_invoice"] = invoice["id"]
        self.emit("invoice.paid", self.render("invoices", invoice))

    def _set_cancel_at_period_end(self, sub: dict, flag: bool) -> None:
        sub.update(cancel_at_period_end=flag,
                   cancel_at=current_period(sub)[1] if flag else None,
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

    @route("DELETE", "/v1/subscriptions/{id}")
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
            self._end_subscription(sub, ended_at=current_period(sub)[1])
            return self._with_invoice(sub)
        before = self.render("subscriptions", sub)
        previous_period = current_period(sub)
        self.enter_next_phase(sub)
        sub["_cycle"] += 1
        self._set_period(sub)
        invoice = self._create_invoice(
            sub, "subscription_cycle", paid=True, period=previous_period,
            line_period=current_period(sub))
        sub.update(latest_invoice=invoice["id"], status="active")
        self.emit("invoice.paid", self.render("invoices", invoice))
        self._emit_updated(sub, before)
        return self._with_invoice(sub)

    def fail_payment(self, sub_id: str) -> dict:
        """The renewal charge fails: an open invoice and a past_due subscription.

        The period is not advanced, so a later ``renew`` (or paying the open
        invoice on its hosted page) both bills and reactivates the subscription.
        """
        return self._unpaid_renewal(sub_id, "invoice.payment_failed")

    def require_action(self, sub_id: str) -> dict:
        """The renewal charge needs the customer (3-D Secure): an open invoice
        whose hosted page lets them pay, and a past_due subscription."""
        return self._unpaid_renewal(sub_id, "invoice.payment_action_required")

    def _unpaid_renewal(self, sub_id: str, event_type: str) -> dict:
        sub = self._live_subscription(sub_id)
        before = self.render("subscriptions", sub)
        invoice = self._create_invoice(
            sub, "subscription_cycle", paid=False,
            period=current_period(sub),
            line_period=self._period_bounds(sub, sub["_cycle"] + 1))
        sub.update(latest_invoice=invoice["id"], status="past_due")
        self.emit(event_type, self.render("invoices", invoice))
        self._emit_updated(sub, before)
        return self._with_invoice(sub)

    def pay_invoice(self, invoice_id: str) -> dict:
        """The customer pays an open invoice (its hosted page): it is paid, and
        the renewal it bills starts its period."""
        invoice = self.get("invoices", invoice_id)
        if invoice["status"] != "open":
            raise ApiError(400, f"Invoice {invoice_id} is {invoice['status']}; only open "
                           "invoices can be paid.")
        paid_at = now()
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0,
                       auto_advance=False, next_payment_attempt=None)
        invoice["status_transitions"]["paid_at"] = paid_at
        self._collect(invoice)
        sub = self.db["subscriptions"][invoice["parent"]["subscription_details"]["subscription"]]
        if sub["latest_invoice"] == invoice["id"] and sub["status"] != "canceled":
            before = self.render("subscriptions", sub)
            self.enter_next_phase(sub)
            sub["_cycle"] += 1
            self._set_period(sub)
            sub["status"] = "active"
            self.emit("invoice.paid", self.render("invoices", invoice))
            self._emit_updated(sub, before)
        else:
            self.emit("invoice.paid", self.render("invoices", invoice))
        return self.render("invoices", invoice)

    def _live_subscription(self, sub_id: str) -> dict:
        sub = self.get("subscriptions", sub_id)
        if sub["status"] == "canceled":
            raise ApiError(400, f"Subscription {sub_id} is canceled.")
        return sub

    def _with_invoice(self, sub: dict) -> dict:
        return self.expand(self.render("subscriptions", sub),
                           Params({"expand": ["latest_invoice"]}))


def current_period(sub: dict) -> tuple[int, int]:
    """(start, end) of the subscription's current period, from its first item."""
    item = sub["items"]["data"][0]
    return item["current_period_start"], item["current_period_end"]


def _plan(price: dict) -> dict:
    """The legacy ``plan`` view of a recurring price, still on each subscription item."""
    recurring = price["recurring"] or {}
    return {"id": price["id"], "object": "plan", "active": price["active"],
            "amount": price["unit_amount"], "amount_decimal": price["unit_amount_decimal"],
            "billing_scheme": "per_unit", "created": price["created"],
            "currency": price["currency"], "interval": recurring.get("interval"),
            "interval_count": recurring.get("interval_count"), "livemode": False,
            "metadata": dict(price["metadata"]), "meter": None, "nickname": price["nickname"],
            "product": price["product"], "tiers_mode": None, "transform_usage": None,
            "trial_period_days": None, "usage_type": "licensed"}
