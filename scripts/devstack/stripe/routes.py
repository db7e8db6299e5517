"""HTTP plumbing shared by the API and the local pages: the response type and
the route tables (each resource module lists its own ``ROUTES``)."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from . import catalog, checkout, events, invoices, portal, subscriptions


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)

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


def compile_routes(routes: list[tuple[str, str, str]]) -> list[tuple[str, re.Pattern, str]]:
    return [(method, re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"), target)
            for method, pattern, target in routes]

# (method, path, SandboxState method); handlers take (params, **path ids).
API_ROUTES = compile_routes(catalog.ROUTES + checkout.ROUTES + subscriptions.ROUTES
                            + invoices.ROUTES + portal.ROUTES + events.ROUTES)


def find_route(routes: list, method: str, path: str) -> tuple[str, dict] | None:
    for route_method, pattern, target in routes:
        match = pattern.match(path)
        if match and route_method == method:
            return target, {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
    return None

