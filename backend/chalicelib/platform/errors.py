"""Errors every route answers with the same JSON shape:
`{"error": {"code": "<machine readable>", "message": "<for humans>"}}`.
Some errors add fields to the error object (a 402 says what was required and
what remains)."""

EXCERPT_CHARS = 40


def excerpt(value, limit=EXCERPT_CHARS):
    """What a message may quote of caller input: its repr, cut to `limit`
    characters, so a huge or hostile value never comes back whole."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message, code=None, status=None, headers=None, **fields):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.headers = dict(headers or {})
        self.fields = fields

    def body(self):
        return {"error": dict({"code": self.code, "message": self.message}, **self.fields)}


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class InsufficientCredits(ApiError):
    status = 402
    code = "insufficient_credits"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class RateLimited(ApiError):
    """Over the API key's own rate limit; `Retry-After` says when to try again."""
    status = 429
    code = "rate_limited"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class UpstreamError(ApiError):
    """A dependency (Stripe) failed; nothing was changed locally."""
    status = 502
    code = "upstream_error"


class TransientError(ApiError):
    """Worth retrying (Stripe retries webhooks on 5xx)."""
    status = 503
    code = "temporarily_unavailable"
