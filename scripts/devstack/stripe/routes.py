"""HTTP plumbing shared by the API and the local pages: the response type,
and routing (each handler names its own URL with ``@route``)."""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any, Callable


class Response:
    """Status, body and headers of one answer. A plain class, not a dataclass:
    its ``field()`` default would run at import time inside ``__set_name__``,
    which turns an exception raised there (``make dev``'s Ctrl-C handler
    interrupting the import) into a ``RuntimeError``."""

    def __init__(self, status: int, body: bytes, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}

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


def route(method: str, path: str) -> Callable:
    """Marks a method as the handler of ``method path``; ``{name}`` in the path
    is passed to it as a keyword argument."""
    def mark(handler: Callable) -> Callable:
        handler.routes = (*getattr(handler, "routes", ()), (method, path))
        return handler
    return mark


def routes_of(cls: type) -> list[tuple[str, re.Pattern, str]]:
    """(method, path pattern, method name) for every ``@route`` handler of
    ``cls``, those with fewer ``{name}`` parts first: a URL both
    ``/_sandbox/customers/{id}/card`` and ``/_sandbox/{resource}/{id}/{action}``
    match goes to the first."""
    found = []
    for name in dir(cls):
        for method, path in getattr(getattr(cls, name), "routes", ()):
            pattern = re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")
            found.append((path.count("{"), method, pattern, name))
    return [(method, pattern, name) for _, method, pattern, name in
            sorted(found, key=lambda route: route[0])]


def find_route(routes: list, method: str, path: str) -> tuple[str, dict] | None:
    for route_method, pattern, target in routes:
        match = pattern.match(path)
        if match and route_method == method:
            return target, {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
    return None

