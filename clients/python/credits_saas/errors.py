"""Typed errors: every refusal the API answers is an `ApiError` carrying the
API's `code` and `message` (`{"error": {"code", "message"}}`) and the HTTP
status; the ones a caller acts on have their own class."""
from __future__ import annotations


class ApiError(Exception):
    """The API refused the call, or no answer came (`status` None, `code`
    "connection_error") after the last retry."""

    def __init__(self, code: str, message: str, status: int | None = None, body: object = None):
        super().__init__("%s: %s" % (code, message) if status is None else "%d %s: %s" % (status, code, message))
        self.code = code
        self.message = message
        self.status = status
        self.body = body


class Unauthorized(ApiError):
    """401 on an account route: the ID token is missing, invalid or expired."""


class InvalidApiKey(Unauthorized):
    """401 on a metered call: the API key is missing, unknown or revoked."""


class InsufficientCredits(ApiError):
    """402: not enough credits; nothing was charged."""

    def __init__(self, code, message, status=402, body=None, required: int = 0, remaining: int = 0):
        super().__init__(code, message, status, body)
        self.required = required
        self.remaining = remaining


class AccountSuspended(ApiError):
    """403 `account_suspended`: an operator suspended the account."""


class RateLimited(ApiError):
    """429: over the key's rate limit, still so after the last retry."""

    def __init__(self, code, message, status=429, body=None, retry_after: float | None = None):
        super().__init__(code, message, status, body)
        self.retry_after = retry_after


class ConnectionFailed(ApiError):
    """No answer (connection refused, reset or timed out) after the last retry."""

    def __init__(self, message: str):
        super().__init__("connection_error", message, None, None)


def error_fields(body):
    """(code, message, the error object) of an error answer, whatever its shape."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "unknown_error", str(body)[:200] if body else "no error body", {}
    return str(error.get("code") or "unknown_error"), str(error.get("message") or ""), error


def from_response(status: int, body, retry_after: float | None = None, metered: bool = True) -> ApiError:
    """The typed error for an error answer (`metered`: of a call made with an API key)."""
    from credits_saas_api.models.error import Error
    from credits_saas_api.models.insufficient_credits import InsufficientCredits as Shortfall

    code, message, fields = error_fields(body)
    if status == 402 and code == "insufficient_credits":
        try:
            shortfall = Shortfall.from_dict(body).error
            required, remaining = shortfall.required, shortfall.remaining
        except (KeyError, TypeError, ValueError):
            required, remaining = fields.get("required", 0), fields.get("remaining", 0)
        return InsufficientCredits(code, message, status, body, required=required, remaining=remaining)
    if isinstance(body, dict) and "error" in body:
        try:  # the generated model checks the shape; an unknown code is still an error
            parsed = Error.from_dict(body).error
            code, message = str(parsed.code), parsed.message
        except (KeyError, TypeError, ValueError):
            pass
    if status == 401:
        return (InvalidApiKey if metered else Unauthorized)(code, message, status, body)
    if status == 403 and code == "account_suspended":
        return AccountSuspended(code, message, status, body)
    if status == 429:
        return RateLimited(code, message, status, body, retry_after=retry_after)
    return ApiError(code, message, status, body)
