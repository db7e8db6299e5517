"""``StripeSandbox``: the sandbox as one object to start, point the SDK at,
inspect and move through time (the same effects as the ``/_sandbox/`` URLs)."""

from __future__ import annotations

import copy
import threading
from typing import Any, Callable

from .events import type_matches
from .routes import Response
from .server import SandboxApp, SandboxServer
from .state import SandboxState
from .util import new_id
from .webhooks import Dispatcher

# The API version of the stripe-python release the project pins (16.x); events
# carry it so handlers see the same shapes the SDK expects.
API_VERSION = "2026-10-28.endive"
DEFAULT_PORT = 12111
DEFAULT_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)  # six attempts in all
STARTUP_ENDPOINT = "startup"


def _time_control(action: str) -> Callable[..., dict]:
    """A ``StripeSandbox`` method running the state's ``action`` under the lock."""
    def control(self: "StripeSandbox", object_id: str, **fields: str) -> dict:
        with self._cond:
            return getattr(self.state, action)(object_id, **fields)
    control.__name__ = control.__qualname__ = action
    control.__doc__ = f"``SandboxState.{action}`` for one object id."
    return control


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
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self.webhook_url: str | None = None
        self._webhook_secret = webhook_secret or new_id("whsec_", 32)
        if webhook_url:
            self.set_webhook(webhook_url, self._webhook_secret)

    # -- lifecycle --------------------------------------------------------

    def start(self) -> "StripeSandbox":
        self._server = SandboxServer((self.host, self.port), self._app, self.verbose)
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

    def handle(self, method: str, path: str, body: str, headers) -> Response:
        """One API request without HTTP (``path`` with its query string): what
        the server answers, for a client in this process."""
        return self._app.handle(method, path, body, headers)

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

    def drop_deliveries(self, on: bool = True) -> None:
        """While on, every delivery fails at once and is not retried (as if
        Stripe had given up on it): what `make replay-webhooks` recovers."""
        with self._cond:
            self._dispatcher.dropping = on

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery (retries included) has finished or given up."""
        with self._cond:
            return self._cond.wait_for(self._dispatcher.idle, timeout)

    # -- inspection and time controls (same effects as /_sandbox/) --------

    def events(self, type: str | None = None, customer: str | None = None) -> list[dict]:
        """Events oldest first (``GET /v1/events`` lists newest first, like Stripe),
        optionally only those whose object belongs to ``customer``: filtered
        before they are copied, so a test's look-up stays cheap however many
        events the sandbox holds."""
        with self._cond:
            return [self.state.render("events", e) for e in self.state.db["events"].values()
                    if (type is None or type_matches(type, e["type"]))
                    and (customer is None or _customer_of(self.state, e) == customer)]

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

    # Time controls, the same as POST /_sandbox/<resource>/<id>/<action>.
    complete_checkout = _time_control("complete_checkout")
    decline_checkout = _time_control("decline_checkout")
    renew_subscription = _time_control("renew_subscription")
    fail_payment = _time_control("fail_payment")
    require_action = _time_control("require_action")
    pay_invoice = _time_control("pay_invoice")
    dispute_charge = _time_control("dispute_charge")
    win_dispute = _time_control("win_dispute")
    lose_dispute = _time_control("lose_dispute")
    fail_refund = _time_control("fail_refund")
    authenticate_payment_intent = _time_control("authenticate_payment_intent")
    fail_payment_intent_authentication = _time_control("fail_payment_intent_authentication")

    def set_card_behavior(self, customer_id: str, behavior: str) -> dict:
        """What charging the customer's cards does: ``succeed``, ``decline``
        or ``require_authentication`` (``POST /_sandbox/customers/{id}/card``)."""
        with self._cond:
            return self.state.set_card_behavior(customer_id, behavior)

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


def _customer_of(state: SandboxState, event: dict) -> str | None:
    """The customer an event's object belongs to; a refund or a dispute
    names none, its charge does."""
    obj = event["data"]["object"]
    if obj.get("object") in ("refund", "dispute"):
        obj = state.db["charges"].get(obj.get("charge"), {})
    customer = obj.get("customer")
    return customer.get("id") if isinstance(customer, dict) else customer
