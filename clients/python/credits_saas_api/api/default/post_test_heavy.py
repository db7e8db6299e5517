from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.credits_ import Credits
from ...models.error import Error
from ...models.insufficient_credits import InsufficientCredits
from ...models.post_test_heavy_body import PostTestHeavyBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: PostTestHeavyBody | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/test/heavy",
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Credits | Error | InsufficientCredits | None:
    if response.status_code == 200:
        response_200 = Credits.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = InsufficientCredits.from_dict(response.json())

        return response_402

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Credits | Error | InsufficientCredits]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PostTestHeavyBody | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Credits | Error | InsufficientCredits]:
    """A metered call costing 5 credits

     Charges 5 credits to the key's account in one atomic write, which also checks the key's rate limit
    (fixed windows of a second or a minute). With an `Idempotency-Key`, the same key (per account, for
    24 hours) charges once; a repeat answers the first outcome with `Idempotent-Replayed: true`.

    Args:
        idempotency_key (str | Unset):
        body (PostTestHeavyBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Credits | Error | InsufficientCredits]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PostTestHeavyBody | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Credits | Error | InsufficientCredits | None:
    """A metered call costing 5 credits

     Charges 5 credits to the key's account in one atomic write, which also checks the key's rate limit
    (fixed windows of a second or a minute). With an `Idempotency-Key`, the same key (per account, for
    24 hours) charges once; a repeat answers the first outcome with `Idempotent-Replayed: true`.

    Args:
        idempotency_key (str | Unset):
        body (PostTestHeavyBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Credits | Error | InsufficientCredits
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PostTestHeavyBody | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Credits | Error | InsufficientCredits]:
    """A metered call costing 5 credits

     Charges 5 credits to the key's account in one atomic write, which also checks the key's rate limit
    (fixed windows of a second or a minute). With an `Idempotency-Key`, the same key (per account, for
    24 hours) charges once; a repeat answers the first outcome with `Idempotent-Replayed: true`.

    Args:
        idempotency_key (str | Unset):
        body (PostTestHeavyBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Credits | Error | InsufficientCredits]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PostTestHeavyBody | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Credits | Error | InsufficientCredits | None:
    """A metered call costing 5 credits

     Charges 5 credits to the key's account in one atomic write, which also checks the key's rate limit
    (fixed windows of a second or a minute). With an `Idempotency-Key`, the same key (per account, for
    24 hours) charges once; a repeat answers the first outcome with `Idempotent-Replayed: true`.

    Args:
        idempotency_key (str | Unset):
        body (PostTestHeavyBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Credits | Error | InsufficientCredits
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
