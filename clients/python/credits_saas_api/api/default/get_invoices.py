from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.invoice_page import InvoicePage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    x_org_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_org_id, Unset):
        headers["X-Org-Id"] = x_org_id

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/invoices",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | InvoicePage | None:
    if response.status_code == 200:
        response_200 = InvoicePage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 502:
        response_502 = Error.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | InvoicePage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    x_org_id: str | Unset = UNSET,
) -> Response[Error | InvoicePage]:
    """Billing history: an invoice per payment, newest first

     Every payment has an invoice: a pack's, a subscription's start, renewal or switch, an automatic top-
    up's. `tax` is the VAT in `total` (Stripe Tax); `pdf_url` downloads the PDF. Drafts and voided
    invoices (a declined top-up) are left out, so a page may hold fewer than `limit`.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        x_org_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | InvoicePage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        x_org_id=x_org_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    x_org_id: str | Unset = UNSET,
) -> Error | InvoicePage | None:
    """Billing history: an invoice per payment, newest first

     Every payment has an invoice: a pack's, a subscription's start, renewal or switch, an automatic top-
    up's. `tax` is the VAT in `total` (Stripe Tax); `pdf_url` downloads the PDF. Drafts and voided
    invoices (a declined top-up) are left out, so a page may hold fewer than `limit`.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        x_org_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | InvoicePage
    """

    return sync_detailed(
        client=client,
        limit=limit,
        cursor=cursor,
        x_org_id=x_org_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    x_org_id: str | Unset = UNSET,
) -> Response[Error | InvoicePage]:
    """Billing history: an invoice per payment, newest first

     Every payment has an invoice: a pack's, a subscription's start, renewal or switch, an automatic top-
    up's. `tax` is the VAT in `total` (Stripe Tax); `pdf_url` downloads the PDF. Drafts and voided
    invoices (a declined top-up) are left out, so a page may hold fewer than `limit`.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        x_org_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | InvoicePage]
    """

    kwargs = _get_kwargs(
        limit=limit,
        cursor=cursor,
        x_org_id=x_org_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    x_org_id: str | Unset = UNSET,
) -> Error | InvoicePage | None:
    """Billing history: an invoice per payment, newest first

     Every payment has an invoice: a pack's, a subscription's start, renewal or switch, an automatic top-
    up's. `tax` is the VAT in `total` (Stripe Tax); `pdf_url` downloads the PDF. Drafts and voided
    invoices (a declined top-up) are left out, so a page may hold fewer than `limit`.

    Args:
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        x_org_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | InvoicePage
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            cursor=cursor,
            x_org_id=x_org_id,
        )
    ).parsed
