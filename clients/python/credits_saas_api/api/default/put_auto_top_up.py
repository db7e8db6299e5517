from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.auto_top_up import AutoTopUp
from ...models.auto_top_up_request import AutoTopUpRequest
from ...models.error import Error
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: AutoTopUpRequest,
    x_org_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_org_id, Unset):
        headers["X-Org-Id"] = x_org_id

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/auto-top-up",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AutoTopUp | Error | None:
    if response.status_code == 200:
        response_200 = AutoTopUp.from_dict(response.json())

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AutoTopUp | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: AutoTopUpRequest,
    x_org_id: str | Unset = UNSET,
) -> Response[AutoTopUp | Error]:
    """Set automatic top-up

     When a metered call takes the balance below `threshold`, the saved card is charged once for a `pack`
    (off-session) and its credits are added as purchased credits when the payment succeeds; at most
    `monthly_limit` top-ups a calendar month, never two at once. A payment the bank wants confirmed
    pauses it (`paused_action_required`, `action_url`); 3 failures in a row turn it off
    (`off_failures`). Every change is emailed.

    Args:
        x_org_id (str | Unset):
        body (AutoTopUpRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AutoTopUp | Error]
    """

    kwargs = _get_kwargs(
        body=body,
        x_org_id=x_org_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: AutoTopUpRequest,
    x_org_id: str | Unset = UNSET,
) -> AutoTopUp | Error | None:
    """Set automatic top-up

     When a metered call takes the balance below `threshold`, the saved card is charged once for a `pack`
    (off-session) and its credits are added as purchased credits when the payment succeeds; at most
    `monthly_limit` top-ups a calendar month, never two at once. A payment the bank wants confirmed
    pauses it (`paused_action_required`, `action_url`); 3 failures in a row turn it off
    (`off_failures`). Every change is emailed.

    Args:
        x_org_id (str | Unset):
        body (AutoTopUpRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AutoTopUp | Error
    """

    return sync_detailed(
        client=client,
        body=body,
        x_org_id=x_org_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: AutoTopUpRequest,
    x_org_id: str | Unset = UNSET,
) -> Response[AutoTopUp | Error]:
    """Set automatic top-up

     When a metered call takes the balance below `threshold`, the saved card is charged once for a `pack`
    (off-session) and its credits are added as purchased credits when the payment succeeds; at most
    `monthly_limit` top-ups a calendar month, never two at once. A payment the bank wants confirmed
    pauses it (`paused_action_required`, `action_url`); 3 failures in a row turn it off
    (`off_failures`). Every change is emailed.

    Args:
        x_org_id (str | Unset):
        body (AutoTopUpRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AutoTopUp | Error]
    """

    kwargs = _get_kwargs(
        body=body,
        x_org_id=x_org_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: AutoTopUpRequest,
    x_org_id: str | Unset = UNSET,
) -> AutoTopUp | Error | None:
    """Set automatic top-up

     When a metered call takes the balance below `threshold`, the saved card is charged once for a `pack`
    (off-session) and its credits are added as purchased credits when the payment succeeds; at most
    `monthly_limit` top-ups a calendar month, never two at once. A payment the bank wants confirmed
    pauses it (`paused_action_required`, `action_url`); 3 failures in a row turn it off
    (`off_failures`). Every change is emailed.

    Args:
        x_org_id (str | Unset):
        body (AutoTopUpRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AutoTopUp | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_org_id=x_org_id,
        )
    ).parsed
