"""Events (``GET /v1/events``, what every change emits) and webhook
endpoints registered through the API."""

from __future__ import annotations

from typing import Any

from .fields import with_every_field
from .params import Params, missing_param
from .routes import route
from .store import retriever
from .util import apply_metadata, new_id, now


class Events:
    """Mixed into the sandbox state (see ``state.py``): emits and lists events."""

    def emit(self, event_type: str, snapshot: dict, previous: dict | None = None) -> dict:
        """Record an event (data.object is a snapshot) and queue its webhooks.

        Delivery attempts are kept in ``_attempts``, shown only under
        ``/_sandbox/events/{id}/deliveries``: no Stripe event carries them."""
        data: dict[str, Any] = {"object": snapshot}
        if previous is not None:
            data["previous_attributes"] = previous
        request = self.request or {"id": None, "idempotency_key": None}
        event = with_every_field(self.create("events", {
            "object": "event", "api_version": self.api_version, "created": now(),
            "data": data, "livemode": False, "pending_webhooks": 0,
            "request": dict(request), "type": event_type, "_attempts": []}))
        event["pending_webhooks"] = self.dispatcher.dispatch(event)
        return event

    retrieve_event = retriever("events", "/v1/events/{id}")

    @route("GET", "/v1/events")
    def list_events(self, p: Params) -> dict:
        patterns = p.strings("types") or ([p.str("type")] if p.str("type") else [])
        created = p.sub("created") if isinstance(p.data.get("created"), dict) else None
        exact_created = None if created else p.int("created")
        delivered = p.data.get("delivery_success")

        def keep(event: dict) -> bool:
            if patterns and not any(type_matches(pt, event["type"]) for pt in patterns):
                return False
            if delivered is not None and (event["pending_webhooks"] == 0) != (delivered == "true"):
                return False
            if exact_created is not None and event["created"] != exact_created:
                return False
            return created is None or _in_range(event["created"], created)
        return self.page("events", p, keep)

    # -- webhook endpoints ------------------------------------------------

    @route("POST", "/v1/webhook_endpoints")
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

    retrieve_webhook_endpoint = retriever("webhook_endpoints", "/v1/webhook_endpoints/{id}")

    @route("GET", "/v1/webhook_endpoints")
    def list_webhook_endpoints(self, p: Params) -> dict:
        return self.page("webhook_endpoints", p)

    @route("DELETE", "/v1/webhook_endpoints/{id}")
    def delete_webhook_endpoint(self, p: Params, id: str) -> dict:
        self.get("webhook_endpoints", id)
        del self.db["webhook_endpoints"][id]
        self.dispatcher.remove(id)
        return {"id": id, "object": "webhook_endpoint", "deleted": True}


def type_matches(pattern: str, event_type: str) -> bool:
    """Stripe's event type filter: exact, or a ``*`` wildcard such as ``invoice.*``."""
    if pattern.endswith("*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def _in_range(value: int, bounds: Params) -> bool:
    checks = {"gt": lambda b: value > b, "gte": lambda b: value >= b,
              "lt": lambda b: value < b, "lte": lambda b: value <= b}
    return all(check(bounds.int(op)) for op, check in checks.items() if op in bounds)

