"""The API server: authentication, idempotency keys, routing ``/v1/`` calls to
the state and everything else to the local pages, Stripe-shaped errors."""

from __future__ import annotations

import base64
import json
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from .controls import LocalPages
from .params import ApiError, Params, parse_params
from .routes import Response, find_route, routes_of
from .state import SandboxState
from .util import new_id

# /v1/ calls: every ``@route`` method of the state, called with (params, **path ids).
API_ROUTES = routes_of(SandboxState)


@dataclass
class _Stored:
    endpoint: str
    fingerprint: str
    response: Response
    request_id: str


class SandboxApp:
    """Turns HTTP requests into state calls: auth, idempotency, routing, error shapes."""

    def __init__(self, state: SandboxState, api_key: str | None, on_reset: Callable[[], None]):
        self.state, self.api_key = state, api_key
        self.local = LocalPages(state, on_reset)
        self.idempotency: dict[str, _Stored] = {}

    def handle(self, method: str, raw_path: str, body: str, headers) -> Response:
        url = urllib.parse.urlsplit(raw_path)
        try:
            if url.path.startswith("/v1/"):
                return self._api(method, url.path, url.query, body, headers)
            return self.local.handle(method, url.path, body)
        except ApiError as exc:
            return Response.json(exc.status, exc.payload())

    # -- /v1 ----------------------------------------------------------------

    def _api(self, method: str, path: str, query: str, body: str, headers) -> Response:
        request_id = new_id("req_", 14)
        extra = {"Request-Id": request_id,
                 "Stripe-Version": headers.get("Stripe-Version") or self.state.api_version}
        try:
            self._authenticate(headers)
            route = find_route(API_ROUTES, method, path)
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
        """Run a handler, replaying the stored result when an idempotency key repeats.

        As on Stripe, a result is stored once the request has run: a success,
        or a card error (the payment was attempted, and a retry must not
        charge again); a request refused for its parameters is not stored.
        """
        fingerprint = json.dumps(params, sort_keys=True)
        stored = self.idempotency.get(key) if key else None
        if stored:
            return self._replay(stored, key, endpoint, fingerprint, extra)
        target, ids = route
        self.state.request = {"id": request_id, "idempotency_key": key}
        try:
            response = Response.json(200, getattr(self.state, target)(Params(params), **ids),
                                     extra)
        except ApiError as exc:
            if exc.error_type != "card_error":
                raise
            response = Response.json(exc.status, exc.payload(), extra)
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


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SandboxApp, verbose: bool):
        self.app, self.verbose = app, verbose
        super().__init__(address, _RequestHandler)

