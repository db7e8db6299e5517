"""The ``/_sandbox/`` test controls (no API key, JSON answers) and the
dispatch of every non-API URL, hosted pages included."""

from __future__ import annotations

import copy
import urllib.parse
from typing import Callable

from .pages import HostedPages, page
from .params import ApiError
from .routes import Response, find_route, route, routes_of


# /_sandbox/<resource>/<id>/<action> -> the state's method that moves time on.
TIME_CONTROLS = {("checkout", "complete"): "complete_checkout",
                 ("checkout", "decline"): "decline_checkout",
                 ("subscriptions", "renew"): "renew_subscription",
                 ("subscriptions", "fail_payment"): "fail_payment",
                 ("subscriptions", "require_action"): "require_action",
                 ("charges", "dispute"): "dispute_charge",
                 ("disputes", "win"): "win_dispute",
                 ("disputes", "lose"): "lose_dispute",
                 ("refunds", "fail"): "fail_refund",
                 ("invoices", "pay"): "pay_invoice",
                 ("payment_intents", "authenticate"): "authenticate_payment_intent",
                 ("payment_intents", "fail_authentication"):
                     "fail_payment_intent_authentication"}


class LocalPages(HostedPages):
    """Everything outside ``/v1/``: the controls below and the hosted pages."""

    def __init__(self, state, on_reset: Callable[[], None]):
        self.state, self.on_reset = state, on_reset

    def handle(self, method: str, path: str, body: str) -> Response:
        route = find_route(LOCAL_ROUTES, method, path)
        if route is None:
            if path.startswith("/_sandbox/"):
                raise ApiError(404, f"Unrecognized sandbox URL ({method}: {path}).")
            return Response.html(404, page("Not found", "<h1>Not found</h1>"))
        target, ids = route
        form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        with self.state.lock:
            result = getattr(self, target)(form, **ids)
        return result if isinstance(result, Response) else Response.json(200, result)

    @route("GET", "/_sandbox/health")
    def health(self, form: dict) -> dict:
        return {"ok": True}

    @route("POST", "/_sandbox/reset")
    def reset(self, form: dict) -> dict:
        self.on_reset()
        return {"ok": True}

    @route("POST", "/_sandbox/{resource}/{id}/{action}")
    def control(self, form: dict, resource: str, id: str, action: str) -> dict:
        """``/_sandbox/checkout/{id}/complete`` and the other time controls."""
        name = TIME_CONTROLS.get((resource, action))
        if name is None:
            raise ApiError(404, f"Unrecognized sandbox URL (POST: /_sandbox/{resource}/{id}/"
                           f"{action}).")
        if name == "complete_checkout":  # paying as a customer from ``country``, with ``tax_id``
            return self.state.complete_checkout(id, country=form.get("country") or None,
                                                tax_id=form.get("tax_id") or None)
        return getattr(self.state, name)(id)

    @route("POST", "/_sandbox/customers/{id}/card")
    def control_card(self, form: dict, id: str) -> dict:
        """``behavior=succeed|decline|require_authentication``: what charging
        the customer's saved cards (and those they save later) does."""
        return self.state.set_card_behavior(id, form.get("behavior"))

    @route("POST", "/_sandbox/webhooks/drop")
    def control_drop(self, form: dict) -> dict:
        """``on=true``: every delivery fails at once and is not retried (as if
        Stripe had given up); ``on=false`` delivers again. Such events stay in
        ``GET /v1/events?delivery_success=false``."""
        self.state.dispatcher.dropping = form.get("on", "true") == "true"
        return {"dropping": self.state.dispatcher.dropping}

    @route("GET", "/_sandbox/events/{id}/deliveries")
    def control_deliveries(self, form: dict, id: str) -> dict:
        event = self.state.get("events", id)
        return {"object": "list", "data": copy.deepcopy(event["_attempts"]),
                "pending_webhooks": event["pending_webhooks"],
                "url": f"/_sandbox/events/{id}/deliveries"}


# Everything outside /v1/; no API key needed.
LOCAL_ROUTES = routes_of(LocalPages)
