"""Subscription schedules, as far as a change at the period's end needs them:
made from a subscription, given a next phase, released (the change undone),
and applied when the subscription renews."""

from __future__ import annotations

from .params import ApiError, Params, missing_param
from .routes import route
from .store import retriever
from .subscriptions import current_period
from .util import apply_metadata, now


class Schedules:
    """Mixed into the sandbox state (see ``state.py``)."""

    @route("POST", "/v1/subscription_schedules")
    def create_subscription_schedule(self, p: Params) -> dict:
        sub = self.ref("subscriptions", p, "from_subscription")
        if sub is None:
            raise ApiError(400, "The sandbox makes schedules from a subscription only: pass "
                           "`from_subscription`.", param="from_subscription")
        if sub.get("_schedule"):
            raise ApiError(400, f"You cannot migrate a subscription that is already attached "
                           f"to a schedule: `{sub['_schedule']}`.", param="from_subscription")
        start, end = current_period(sub)
        item = sub["items"]["data"][0]
        schedule = self.create("subscription_schedules", {
            "object": "subscription_schedule", "billing_mode": dict(sub["billing_mode"]),
            "canceled_at": None, "completed_at": None, "created": now(),
            "current_phase": {"end_date": end, "start_date": start},
            "customer": sub["customer"],
            "default_settings": {"automatic_tax": {"enabled": False},
                                 "billing_cycle_anchor": "automatic",
                                 "collection_method": sub["collection_method"],
                                 "invoice_settings": {"issuer": {"type": "self"}}},
            "end_behavior": "release", "livemode": False, "metadata": {},
            "pause_schedules": [],
            "phases": [self._phase(sub["currency"], item["price"], item["quantity"], start, end)],
            "released_at": None, "released_subscription": None, "status": "active",
            "subscription": sub["id"]})
        before = self.render("subscriptions", sub)
        sub["_schedule"] = schedule["id"]
        self.emit("subscription_schedule.created", self.render("subscription_schedules", schedule))
        self._emit_updated(sub, before)
        return self.output("subscription_schedules", schedule, p)

    def _phase(self, currency: str, price_id: str, quantity: int, start: int,
               end: int | None) -> dict:
        return {"add_invoice_items": [], "currency": currency, "default_tax_rates": [],
                "discounts": [], "end_date": end,
                "items": [{"discounts": [], "metadata": {}, "plan": price_id, "price": price_id,
                           "quantity": quantity, "tax_rates": []}],
                "metadata": {}, "proration_behavior": "create_prorations",
                "start_date": start}

    @route("POST", "/v1/subscription_schedules/{id}")
    def update_subscription_schedule(self, p: Params, id: str) -> dict:
        schedule = self._active_schedule(id)
        sub = self.db["subscriptions"][schedule["subscription"]]
        phases = p.objects("phases")
        if phases:
            schedule["phases"] = self._phases(sub, phases)
        schedule["metadata"] = apply_metadata(schedule["metadata"], p.metadata())
        if "end_behavior" in p:
            schedule["end_behavior"] = p.str("end_behavior", choices=("release", "cancel"))
        self.emit("subscription_schedule.updated", self.render("subscription_schedules", schedule))
        return self.output("subscription_schedules", schedule, p)

    def _phases(self, sub: dict, entries: list[Params]) -> list[dict]:
        current_start, current_end = current_period(sub)
        phases, start = [], current_start
        for index, entry in enumerate(entries):
            items = entry.objects("items")
            if not items:
                raise missing_param(entry.path("items"))
            price = self._subscription_price(sub, items[0])
            start = entry.int("start_date", default=start)
            if index == 0 and start != current_start:
                raise ApiError(400, "You can not modify the start date of the current phase.",
                               param=entry.path("start_date"))
            end = entry.int("end_date", default=current_end if index == 0 else None)
            if end is None and index + 1 < len(entries):
                raise missing_param(entry.path("end_date"))
            phases.append(self._phase(sub["currency"], price["id"],
                                      items[0].int("quantity", default=1, minimum=1), start, end))
            start = end
        return phases

    @route("POST", "/v1/subscription_schedules/{id}/release")
    def release_subscription_schedule(self, p: Params, id: str) -> dict:
        schedule = self._active_schedule(id)
        self._release(schedule)
        return self.output("subscription_schedules", schedule, p)

    def _release(self, schedule: dict) -> None:
        sub = self.db["subscriptions"][schedule["subscription"]]
        before = self.render("subscriptions", sub)
        schedule.update(status="released", released_at=now(), current_phase=None,
                        released_subscription=sub["id"], subscription=None)
        sub["_schedule"] = None
        self.emit("subscription_schedule.released",
                  self.render("subscription_schedules", schedule))
        self._emit_updated(sub, before)

    def _active_schedule(self, schedule_id: str) -> dict:
        schedule = self.get("subscription_schedules", schedule_id)
        if schedule["status"] != "active":
            raise ApiError(400, f"You cannot update a subscription schedule that is currently "
                           f"in the `{schedule['status']}` status.")
        return schedule

    retrieve_subscription_schedule = retriever("subscription_schedules",
                                               "/v1/subscription_schedules/{id}")

    def next_scheduled_phase(self, sub: dict) -> dict | None:
        """The phase that starts when the current period ends, if a schedule has one."""
        schedule = self.db["subscription_schedules"].get(sub.get("_schedule") or "")
        if schedule is None:
            return None
        end = current_period(sub)[1]
        return next((phase for phase in schedule["phases"] if phase["start_date"] == end), None)

    def enter_next_phase(self, sub: dict) -> None:
        """At renewal: the subscription takes the next phase's price; a schedule
        with no phase after it lets the subscription go on by itself."""
        phase = self.next_scheduled_phase(sub)
        if phase is None:
            return
        sub["items"]["data"][0]["price"] = phase["items"][0]["price"]
        schedule = self.db["subscription_schedules"][sub["_schedule"]]
        schedule["current_phase"] = {"start_date": phase["start_date"],
                                     "end_date": phase["end_date"]}
        if phase is schedule["phases"][-1]:
            self._release(schedule)
