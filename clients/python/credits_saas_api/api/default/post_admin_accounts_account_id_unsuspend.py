from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.post_admin_accounts_account_id_unsuspend_body import (
    PostAdminAccountsAccountIdUnsuspendBody,
)
from ...models.post_admin_accounts_account_id_unsuspend_response_200 import (
    PostAdminAccountsAccountIdUnsuspendResponse200,
)
from ...types import Response


def _get_kwargs(
    account_id: str,
    *,
    body: PostAdminAccountsAccountIdUnsuspendBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/admin/accounts/{account_id}/unsuspend".format(
            account_id=quote(str(account_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | PostAdminAccountsAccountIdUnsuspendResponse200 | None:
    if response.status_code == 200:
        response_200 = PostAdminAccountsAccountIdUnsuspendResponse200.from_dict(
            response.json()
        )

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | PostAdminAccountsAccountIdUnsuspendResponse200]:
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
    body: PostAdminAccountsAccountIdUnsuspendBody,
) -> Response[Error | PostAdminAccountsAccountIdUnsuspendResponse200]:
    """Lift a suspension

    Args:
        account_id (str):
        body (PostAdminAccountsAccountIdUnsuspendBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PostAdminAccountsAccountIdUnsuspendResponse200]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: PostAdminAccountsAccountIdUnsuspendBody,
) -> Error | PostAdminAccountsAccountIdUnsuspendResponse200 | None:
    """Lift a suspension

    Args:
        account_id (str):
        body (PostAdminAccountsAccountIdUnsuspendBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PostAdminAccountsAccountIdUnsuspendResponse200
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: PostAdminAccountsAccountIdUnsuspendBody,
) -> Response[Error | PostAdminAccountsAccountIdUnsuspendResponse200]:
    """Lift a suspension

    Args:
        account_id (str):
        body (PostAdminAccountsAccountIdUnsuspendBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | PostAdminAccountsAccountIdUnsuspendResponse200]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: str,
    *,
    client: AuthenticatedClient,
    body: PostAdminAccountsAccountIdUnsuspendBody,
) -> Error | PostAdminAccountsAccountIdUnsuspendResponse200 | None:
    """Lift a suspension

    Args:
        account_id (str):
        body (PostAdminAccountsAccountIdUnsuspendBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | PostAdminAccountsAccountIdUnsuspendResponse200
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            body=body,
        )
    ).parsed
