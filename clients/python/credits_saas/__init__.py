"""A client for the credits-saas API.

`Client` / `AsyncClient`: metered calls with an API key, retried safely
(one `Idempotency-Key` per call). `AccountClient` / `AsyncAccountClient`:
keys, usage, ledger and the account with a user's ID token. Models and the
low-level calls are generated from the API's OpenAPI document
(`credits_saas_api`)."""
from credits_saas.account import AccountClient, AsyncAccountClient
from credits_saas.errors import (
    AccountSuspended, ApiError, ConnectionFailed, InsufficientCredits, InvalidApiKey, RateLimited, Unauthorized)
from credits_saas.metered import AsyncClient, CallResult, Client
from credits_saas.retries import Retries

__all__ = [
    "AccountClient", "AccountSuspended", "ApiError", "AsyncAccountClient", "AsyncClient", "CallResult", "Client",
    "ConnectionFailed", "InsufficientCredits", "InvalidApiKey", "RateLimited", "Retries", "Unauthorized",
]
__version__ = "1.0.0"
