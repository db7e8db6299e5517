"""The account routes with a signed-in user's ID token: `AccountClient`
and its async twin `AsyncAccountClient`. They call the generated functions
(credits_saas_api.api.default) and answer the generated models; a refusal
is an `ApiError` subclass. With `org_id`, every call acts for that
organisation (`X-Org-Id`); without, for the user's personal one.

Listings that come in pages (`ledger`, `invoices`) have a `*_page` call and
an iterator over every item."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import httpx

from credits_saas.errors import from_response
from credits_saas.metered import DEFAULT_TIMEOUT, new_idempotency_key
from credits_saas_api.api.default import (
    delete_keys_key_id, get_invoices, get_keys, get_ledger, get_usage, get_user, patch_keys_key_id, post_keys)
from credits_saas_api.client import AuthenticatedClient
from credits_saas_api.models.api_key import ApiKey
from credits_saas_api.models.api_key_changes import ApiKeyChanges
from credits_saas_api.models.invoice import Invoice
from credits_saas_api.models.invoice_page import InvoicePage
from credits_saas_api.models.ledger_entry import LedgerEntry
from credits_saas_api.models.ledger_page import LedgerPage
from credits_saas_api.models.new_api_key import NewApiKey
from credits_saas_api.models.new_api_key_request import NewApiKeyRequest
from credits_saas_api.models.rate_limit import RateLimit
from credits_saas_api.models.rate_limit_per import RateLimitPer
from credits_saas_api.types import UNSET


def rate_limit(value) -> RateLimit | None:
    """A `RateLimit`, or None, from a model, a dict `{"requests", "per"}` or None."""
    if value is None or isinstance(value, RateLimit):
        return value
    return RateLimit(requests=int(value["requests"]), per=RateLimitPer(value["per"]))


def _checked(response, *statuses):
    """The parsed model of an expected answer, or the typed error."""
    if response.status_code in statuses:
        return response.parsed
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    raise from_response(int(response.status_code), body, metered=False)


class _Account:
    def __init__(self, id_token: str, base_url: str, org_id: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, transport=None):
        if not id_token:
            raise ValueError("id_token is required")
        self.org_id = org_id
        httpx_args = {"transport": transport} if transport is not None else {}
        self.api = AuthenticatedClient(base_url=base_url.rstrip("/"), token=id_token, prefix="Bearer",
                                       timeout=httpx.Timeout(timeout), raise_on_unexpected_status=False,
                                       httpx_args=httpx_args)

    @property
    def _org(self):
        return self.org_id if self.org_id else UNSET

    def _key_request(self, name, limit):
        body = NewApiKeyRequest(name=name)
        if limit is not None:
            body.rate_limit = rate_limit(limit)
        return body

    @staticmethod
    def _changes(name, limit):
        changes = ApiKeyChanges()
        if name is not UNSET:
            changes.name = name
        if limit is not UNSET:
            changes.rate_limit = rate_limit(limit)
        return changes


class AccountClient(_Account):
    """Keys, usage, ledger and the account, as the signed-in user.

        account = AccountClient(id_token=token, base_url=url, org_id="acme-id")
        key = account.create_key("ci", rate_limit={"requests": 10, "per": "second"})
    """

    def user(self):
        """The account (`GET /user`): plan, credits, subscription…"""
        return _checked(get_user.sync_detailed(client=self.api, x_org_id=self._org), 200).user

    def keys(self) -> list[ApiKey]:
        return _checked(get_keys.sync_detailed(client=self.api, x_org_id=self._org), 200).keys

    def create_key(self, name: str, rate_limit=None, *, idempotency_key: str | None = None) -> NewApiKey | ApiKey:
        """A new key (`NewApiKey`, whose `key` is shown this once); a repeated
        `idempotency_key` answers the key it created (`ApiKey`, no secret)."""
        return _checked(post_keys.sync_detailed(
            client=self.api, body=self._key_request(name, rate_limit), x_org_id=self._org,
            idempotency_key=idempotency_key or new_idempotency_key()), 200, 201)

    def update_key(self, key_id: str, *, name=UNSET, rate_limit=UNSET) -> ApiKey:
        """Rename a key and/or change its rate limit (None: no limit)."""
        return _checked(patch_keys_key_id.sync_detailed(
            key_id, client=self.api, body=self._changes(name, rate_limit), x_org_id=self._org), 200)

    def revoke_key(self, key_id: str) -> None:
        _checked(delete_keys_key_id.sync_detailed(key_id, client=self.api, x_org_id=self._org), 204)

    def usage(self, days: int = 30):
        """Credits spent per day, oldest first: items with `.date` and `.credits_`."""
        return _checked(get_usage.sync_detailed(client=self.api, days=days, x_org_id=self._org), 200).usage

    def ledger_page(self, limit: int = 50, cursor: str | None = None) -> LedgerPage:
        return _checked(get_ledger.sync_detailed(
            client=self.api, limit=limit, cursor=cursor if cursor else UNSET, x_org_id=self._org), 200)

    def ledger(self, limit: int = 50) -> Iterator[LedgerEntry]:
        """Every ledger entry, newest first, page after page."""
        cursor = None
        while True:
            page = self.ledger_page(limit, cursor)
            yield from page.entries
            cursor = page.next_cursor
            if not cursor:
                return

    def invoices_page(self, limit: int = 20, cursor: str | None = None) -> InvoicePage:
        """One page of the organisation's invoices, newest first (roles owner, admin, billing)."""
        return _checked(get_invoices.sync_detailed(
            client=self.api, limit=limit, cursor=cursor if cursor else UNSET, x_org_id=self._org), 200)

    def invoices(self, limit: int = 20) -> Iterator[Invoice]:
        """Every invoice, newest first, page after page."""
        cursor = None
        while True:
            page = self.invoices_page(limit, cursor)
            yield from page.invoices
            cursor = page.next_cursor
            if not cursor:
                return

    def close(self):
        self.api.get_httpx_client().close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class AsyncAccountClient(_Account):
    """`AccountClient` for asyncio."""

    async def user(self):
        return _checked(await get_user.asyncio_detailed(client=self.api, x_org_id=self._org), 200).user

    async def keys(self) -> list[ApiKey]:
        return _checked(await get_keys.asyncio_detailed(client=self.api, x_org_id=self._org), 200).keys

    async def create_key(self, name: str, rate_limit=None, *, idempotency_key: str | None = None):
        return _checked(await post_keys.asyncio_detailed(
            client=self.api, body=self._key_request(name, rate_limit), x_org_id=self._org,
            idempotency_key=idempotency_key or new_idempotency_key()), 200, 201)

    async def update_key(self, key_id: str, *, name=UNSET, rate_limit=UNSET) -> ApiKey:
        return _checked(await patch_keys_key_id.asyncio_detailed(
            key_id, client=self.api, body=self._changes(name, rate_limit), x_org_id=self._org), 200)

    async def revoke_key(self, key_id: str) -> None:
        _checked(await delete_keys_key_id.asyncio_detailed(key_id, client=self.api, x_org_id=self._org), 204)

    async def usage(self, days: int = 30):
        return _checked(await get_usage.asyncio_detailed(client=self.api, days=days, x_org_id=self._org),
                        200).usage

    async def ledger_page(self, limit: int = 50, cursor: str | None = None) -> LedgerPage:
        return _checked(await get_ledger.asyncio_detailed(
            client=self.api, limit=limit, cursor=cursor if cursor else UNSET, x_org_id=self._org), 200)

    async def ledger(self, limit: int = 50) -> AsyncIterator[LedgerEntry]:
        cursor = None
        while True:
            page = await self.ledger_page(limit, cursor)
            for entry in page.entries:
                yield entry
            cursor = page.next_cursor
            if not cursor:
                return

    async def invoices_page(self, limit: int = 20, cursor: str | None = None) -> InvoicePage:
        return _checked(await get_invoices.asyncio_detailed(
            client=self.api, limit=limit, cursor=cursor if cursor else UNSET, x_org_id=self._org), 200)

    async def invoices(self, limit: int = 20) -> AsyncIterator[Invoice]:
        cursor = None
        while True:
            page = await self.invoices_page(limit, cursor)
            for invoice in page.invoices:
                yield invoice
            cursor = page.next_cursor
            if not cursor:
                return

    async def aclose(self):
        await self.api.get_async_httpx_client().aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()
