from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_key import ApiKey
from ...models.error import Error
from ...models.new_api_key import NewApiKey
from ...models.new_api_key_request import NewApiKeyRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: NewApiKeyRequest,
    x_org_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_org_id, Unset):
        headers["X-Org-Id"] = x_org_id

    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/keys",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiKey | Error | NewApiKey | None:
    if response.status_code == 200:
        response_200 = ApiKey.from_dict(response.json())

        return response_200

    if response.status_code == 201:
        response_201 = NewApiKey.from_dict(response.json())

        return response_201

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ApiKey | Error | NewApiKey]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: NewApiKeyRequest,
    x_org_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ApiKey | Error | NewApiKey]:
    """Create an API key

    Args:
        x_org_id (str | Unset):
        idempotency_key (str | Unset):
        body (NewApiKeyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKey | Error | NewApiKey]
    """

    kwargs = _get_kwargs(
        body=body,
        x_org_id=x_org_id,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: NewApiKeyRequest,
    x_org_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ApiKey | Error | NewApiKey | None:
    """Create an API key

    Args:
        x_org_id (str | Unset):
        idempotency_key (str | Unset):
        body (NewApiKeyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKey | Error | NewApiKey
    """

    return sync_detailed(
        client=client,
        body=body,
        x_org_id=x_org_id,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: NewApiKeyRequest,
    x_org_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ApiKey | Error | NewApiKey]:
    """Create an API key

    Args:
        x_org_id (str | Unset):
        idempotency_key (str | Unset):
        body (NewApiKeyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKey | Error | NewApiKey]
    """

    kwargs = _get_kwargs(
        body=body,
        x_org_id=x_org_id,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: NewApiKeyRequest,
    x_org_id: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ApiKey | Error | NewApiKey | None:
    """Create an API key

    Args:
        x_org_id (str | Unset):
        idempotency_key (str | Unset):
        body (NewApiKeyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKey | Error | NewApiKey
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_org_id=x_org_id,
            idempotency_key=idempotency_key,
        )
    ).parsed
