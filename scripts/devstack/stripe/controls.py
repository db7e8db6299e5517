"""The ``/_sandbox/`` test controls (no API key, JSON answers) and the
dispatch of every non-API URL, hosted pages included."""

from __future__ import annotations

import copy
import urllib.parse
from typing import Callable

from . import pages
from .pages import HostedPages, page
from .params import ApiError
from .routes import Response, compile_routes, find_route

# (method, path, LocalPages method); no API key needed.
LOCAL_ROUTES = compile_routes([
    ("GET", "/_sandbox/health", "health"),
    ("POST", "/_sandbox/reset", "reset"),
    ("POST", "/_sandbox/checkout/{id}/complete", "control_complete"),
    ("POST", "/_sandbox/checkout/{id}/decline", "control_decline"),
    ("POST", "/_sandbox/subscriptions/{id}/renew", "control_renew"),
    ("POST", "/_sandbox/subscriptions/{id}/fail_payment", "control_fail_payment"),
    ("GET", "/_sandbox/events/{id}/deliveries", "control_deliveries"),
] + pages.ROUTES)


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

