"""Metered calls with an API key: `Client` and its async twin `AsyncClient`.

One logical call gets one `Idempotency-Key`, sent again on every retry of
it, so the API charges it once however many times the answer was lost on
the way back. Retried: no answer (connection refused, reset, timed out),
502, 503, 504, and 429 after `Retry-After`. Anything else is the answer."""
from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass

import httpx

from credits_saas.errors import ApiError, ConnectionFailed, RateLimited, from_response
from credits_saas.retries import RETRY_STATUSES, Retries, retry_after_seconds
from credits_saas_api.client import AuthenticatedClient
from credits_saas_api.models.credits_ import Credits

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class CallResult:
    """A charged (or replayed) metered call."""

    remaining: int
    """Credits left after the call (`X-Credits-Remaining`)."""
    cost: int
    """What the call cost (`X-Credits-Cost`)."""
    replayed: bool
    """True when the API answered from the idempotency record of an earlier attempt."""
    idempotency_key: str
    attempts: int
    body: Credits


def new_idempotency_key() -> str:
    return "py-" + uuid.uuid4().hex


def _json(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _result(response: httpx.Response, key: str, attempts: int) -> CallResult:
    body = Credits.from_dict(response.json())
    remaining = response.headers.get("X-Credits-Remaining")
    return CallResult(remaining=int(remaining) if remaining is not None else body.credits_,
                      cost=int(response.headers.get("X-Credits-Cost", "0")),
                      replayed=response.headers.get("Idempotent-Replayed") == "true",
                      idempotency_key=key, attempts=attempts, body=body)


class _Metered:
    def __init__(self, api_key: str, base_url: str, *, max_retries: int | None = None,
                 retries: Retries | None = None, timeout: float = DEFAULT_TIMEOUT, transport=None,
                 sleep=None, rng: random.Random | None = None):
        if not api_key:
            raise ValueError("api_key is required")
        retries = retries or Retries()
        if max_retries is not None:
            retries = Retries(max_retries=max_retries, base_delay=retries.base_delay,
                              max_delay=retries.max_delay, max_retry_after=retries.max_retry_after)
        self.retries = retries
        self._sleep = sleep
        self._rng = rng or random.Random()
        httpx_args = {"transport": transport} if transport is not None else {}
        # The generated client, authenticating with `x-api-key`.
        self.api = AuthenticatedClient(base_url=base_url.rstrip("/"), token=api_key, prefix="",
                                       auth_header_name="x-api-key", timeout=httpx.Timeout(timeout),
                                       raise_on_unexpected_status=False, httpx_args=httpx_args)

    @staticmethod
    def _request(path, body, key):
        if not path.startswith("/"):
            path = "/" + path
        kwargs = {"headers": {"Idempotency-Key": key}}
        if body is not None:
            kwargs["json"] = body
        return path, kwargs

    def _decide(self, retry, response=None, failure=None):
        """(result, error, wait): a result or a final error, or the wait before retrying."""
        if failure is not None:
            error = ConnectionFailed("%s: %s" % (type(failure).__name__, failure))
            wait = self.retries.backoff(retry, self._rng)
        elif response.status_code == 200:
            return "done", None
        else:
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            error = from_response(response.status_code, _json(response), retry_after=retry_after)
            if response.status_code not in RETRY_STATUSES:
                return "raise", error
            if isinstance(error, RateLimited) and retry_after is not None:
                if retry_after > self.retries.max_retry_after:
                    return "raise", error
                wait = retry_after
            else:
                wait = self.retries.backoff(retry, self._rng)
        if retry >= self.retries.max_retries:
            return "raise", error
        return "wait", wait


class Client(_Metered):
    """Metered calls with an API key.

        client = Client(api_key="sk_...", base_url="https://api.example.com")
        result = client.call("/test")
        print(result.remaining, result.cost)

    `max_retries` (default 4) or `retries` (a `Retries`) set how often and
    how long it tries again; `transport` is an httpx transport (tests)."""

    def call(self, path: str = "/test", body: dict | None = None, *,
             idempotency_key: str | None = None) -> CallResult:
        """POST a metered route; raises an `ApiError` subclass when refused."""
        key = idempotency_key or new_idempotency_key()
        path, kwargs = self._request(path, body, key)
        http = self.api.get_httpx_client()
        sleep = self._sleep or time.sleep
        retry = 0
        while True:
            try:
                response = http.post(path, **kwargs)
                action, value = self._decide(retry, response=response)
            except httpx.TransportError as failure:
                action, value = self._decide(retry, failure=failure)
            if action == "done":
                return _result(response, key, retry + 1)
            if action == "raise":
                raise value
            sleep(value)
            retry += 1

    def close(self):
        self.api.get_httpx_client().close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AsyncClient(_Metered):
    """`Client` for asyncio: `await client.call("/test")`."""

    async def call(self, path: str = "/test", body: dict | None = None, *,
                   idempotency_key: str | None = None) -> CallResult:
        key = idempotency_key or new_idempotency_key()
        path, kwargs = self._request(path, body, key)
        http = self.api.get_async_httpx_client()
        sleep = self._sleep or asyncio.sleep
        retry = 0
        while True:
            try:
                response = await http.post(path, **kwargs)
                action, value = self._decide(retry, response=response)
            except httpx.TransportError as failure:
                action, value = self._decide(retry, failure=failure)
            if action == "done":
                return _result(response, key, retry + 1)
            if action == "raise":
                raise value
            waited = sleep(value)
            if asyncio.iscoroutine(waited):
                await waited
            retry += 1

    async def aclose(self):
        await self.api.get_async_httpx_client().aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()


__all__ = ["AsyncClient", "CallResult", "Client", "ApiError", "Retries"]
