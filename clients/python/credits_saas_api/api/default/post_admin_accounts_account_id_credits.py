from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.adjustment import Adjustment
from ...models.error import Error
from ...models.post_admin_accounts_account_id_credits_body import (
    PostAdminAccountsAccountIdCreditsBody,
)
from ...types import Response


def _get_kwargs(
    account_id: str,
    *,
    body: PostAdminAccountsAccountIdCreditsBody,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/admin/accounts/{account_id}/credits".format(
            account_id=quote(str(account_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Adjustment | Error | None:
    if response.status_code == 200:
        response_200 = Adjustment.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Adjustment | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: PostAdminAccountsAccountIdCreditsBody,
    idempotency_key: str,
) -> Response[Adjustment | Error]:
    """Grant or void credits

     Positive `credits` grant, negative void. A void takes from `bucket` first, then the other bucket,
    and below zero only with `allow_negative: true`.

    Args:
        account_id (str):
        idempotency_key (str):
        body (PostAdminAccountsAccountIdCreditsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Adjustment | Error]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: PostAdminAccountsAccountIdCreditsBody,
    idempotency_key: str,
) -> Adjustment | Error | None:
    """Grant or void credits

     Positive `credits` grant, negative void. A void takes from `bucket` first, then the other bucket,
    and below zero only with `allow_negative: true`.

    Args:
        account_id (str):
        idempotency_key (str):
        body (PostAdminAccountsAccountIdCreditsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Adjustment | Error
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: PostAdminAccountsAccountIdCreditsBody,
    idempotency_key: str,
) -> Response[Adjustment | Error]:
    """Grant or void credits

     Positive `credits` grant, negative void. A void takes from `bucket` first, then the other bucket,
    and below zero only with `allow_negative: true`.

    Args:
        account_id (str):
        idempotency_key (str):
        body (PostAdminAccountsAccountIdCreditsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Adjustment | Error]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: PostAdminAccountsAccountIdCreditsBody,
    idempotency_key: str,
) -> Adjustment | Error | None:
    """Grant or void credits

     Positive `credits` grant, negative void. A void takes from `bucket` first, then the other bucket,
    and below zero only with `allow_negative: true`.

    Args:
        account_id (str):
        idempotency_key (str):
        body (PostAdminAccountsAccountIdCreditsBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Adjustment | Error
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
