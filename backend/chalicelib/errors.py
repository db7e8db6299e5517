"""Errors every route answers with the same JSON shape:
`{"error": {"code": "<machine readable>", "message": "<for humans>"}}`."""


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message, code=None, status=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status

    def body(self):
        return {"error": {"code": self.code, "message": self.message}}


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class InsufficientCredits(ApiError):
    status = 402
    code = "insufficient_credits"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class UpstreamError(ApiError):
    """A dependency (Stripe) failed; nothing was changed locally."""
    status = 502
    code = "upstream_error"


class TransientError(ApiError):
    """Worth retrying (Stripe retries webhooks on 5xx)."""
    status = 503
    code = "temporarily_unavailable"
