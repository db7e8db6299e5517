"""Billing portal sessions, and what the hosted portal page can do: list a
customer's subscriptions, cancel one, switch its price."""

from __future__ import annotations

from .params import ApiError, Params, missing_param
from .routes import route
from .subscriptions import current_period
from .util import now


class Portal:
    """Mixed into the sandbox state (see ``state.py``)."""

    @route("POST", "/v1/billing_portal/sessions")
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

    def portal_switch(self, sub: dict, price: dict) -> None:
        """As a portal configured to upgrade at once (prorated, invoiced now, a
        new period from now) and to downgrade at the period's end (a schedule)."""
        item = sub["items"]["data"][0]
        current = self.db["prices"][item["price"]]
        if price["unit_amount"] > current["unit_amount"]:
            if sub.get("_schedule"):
                self.release_subscription_schedule(Params(), sub["_schedule"])
            self.update_subscription(Params({
                "items": [{"id": item["id"], "price": price["id"]}],
                "proration_behavior": "always_invoice", "billing_cycle_anchor": "now"}), sub["id"])
            return
        schedule_id = sub.get("_schedule") or self.create_subscription_schedule(
            Params({"from_subscription": sub["id"]}))["id"]
        start, end = current_period(sub)
        self.update_subscription_schedule(Params({"end_behavior": "release", "phases": [
            {"items": [{"price": current["id"], "quantity": str(item["quantity"])}],
             "start_date": str(start), "end_date": str(end)},
            {"items": [{"price": price["id"], "quantity": str(item["quantity"])}],
             "start_date": str(end)}]}), schedule_id)

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
            self.portal_switch(sub, self.get("prices", form.get("price"), status=400,
                                             param="price"))
        elif form.get("action") == "keep" and sub.get("_schedule"):
            self.release_subscription_schedule(Params(), sub["_schedule"])
        else:
            raise ApiError(400, "Unknown portal action.", param="action")
        return portal["return_url"]
