"""Request parsing and error responses shared by the routes.

Hostile input stops here: bodies are size- and depth-limited, JSON is strict
(no NaN or Infinity), numbers in query strings are ASCII digits only, and
every error - including the framework's own 405 and 415 - leaves in the one
shape `{"error": {"code", "message"}}`.
"""
import functools
import json
import logging
import re

from chalice import Response

from chalicelib.platform import logs

from chalicelib.platform.errors import (
    ApiError, BadRequest, MethodNotAllowed, PayloadTooLarge, UnsupportedMediaType, excerpt)

logger = logging.getLogger("credits-saas")

MAX_BODY_BYTES = 64 * 1024
# Stripe events (an invoice with its lines) are larger than anything a caller sends.
MAX_BODY_BYTES_BY_PATH = {"/stripe/webhook": 1024 * 1024}
MAX_JSON_DEPTH = 32
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:\-]{1,100}")
# The framework's own error codes, in our vocabulary.
FRAMEWORK_ERRORS = {
    "MethodNotAllowedError": MethodNotAllowed("This route does not take that method."),
    "UnsupportedMediaType": UnsupportedMediaType("Send JSON with Content-Type: application/json."),
    "BadRequestError": BadRequest("The request is malformed."),
    "BadRequest": BadRequest("The request is malformed."),
}


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def json_body(request, required=True):
    """The request's JSON object; malformed, non-object or too deeply nested
    bodies are a 400."""
    raw = request.raw_body or b""
    if not raw.strip():
        if required:
            raise BadRequest("A JSON object body is required.", code="invalid_json")
        return {}
    try:
        body = json.loads(raw, parse_constant=_reject_constant, parse_float=_number)
    except RecursionError:
        raise _too_deep()
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON.", code="invalid_json")
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", code="invalid_json")
    if depth(body) > MAX_JSON_DEPTH:
        raise _too_deep()
    return body


def _number(text):
    """A JSON number with a decimal point or exponent: a whole one (`5.0`,
    `1e3`) is an integer, as JSON Schema (and so the OpenAPI document) counts
    it; any other stays a float, which no integer field accepts."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _too_deep():
    return BadRequest("The JSON body is nested more than %d levels deep." % MAX_JSON_DEPTH,
                      code="invalid_json")


def depth(value):
    """Nesting depth of parsed JSON, without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children)
    return deepest


def idempotency_key(request):
    """The caller's `Idempotency-Key` header, or None when absent."""
    value = request.headers.get("idempotency-key")
    if value is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(value):
        raise BadRequest("The Idempotency-Key header must be 1-100 letters, digits or ._:- (got %s)."
                         % excerpt(value), code="invalid_idempotency_key")
    return value


def required_idempotency_key(request):
    """Like idempotency_key, for routes where a retry must never act twice."""
    value = idempotency_key(request)
    if value is None:
        raise BadRequest("An Idempotency-Key header is required, so a repeated request acts once.",
                         code="missing_idempotency_key")
    return value


def error_response(error, headers=None):
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    all_headers.update(error.headers)
    return Response(body=error.body(), status_code=error.status, headers=all_headers)


def json_errors(view):
    """Every failure of a route becomes the same JSON shape, never a trace.
    Wraps the view (inside Chalice) so CORS headers still get added."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ApiError as error:
            logs.note(error_code=error.code)
            return error_response(error)
        except Exception:
            logs.note(error_code="internal_error")
            logger.exception("unhandled error")
            return error_response(ApiError("Something went wrong on our side.",
                                           code="internal_error", status=500))
    return wrapper


def guard(app, request, get_response):
    """HTTP middleware: refuses oversized bodies before any route runs, and
    turns the framework's own errors (405, 415, its 500) into our shape with
    the CORS headers a browser needs to read them."""
    limit = MAX_BODY_BYTES_BY_PATH.get(request.path, MAX_BODY_BYTES)
    if len(request.raw_body or b"") > limit:
        response = error_response(PayloadTooLarge("The request body is larger than %d bytes." % limit))
    else:
        response = get_response(request)
    response = _our_shape(response)
    if app.api.cors:
        for name, value in app.api.cors.get_access_control_headers().items():
            response.headers.setdefault(name, value)
    return response


def _our_shape(response):
    body = response.body
    if not (isinstance(body, dict) and "Code" in body and "error" not in body):
        return response
    error = FRAMEWORK_ERRORS.get(body["Code"])
    if error is None:
        if response.status_code >= 500:
            error = ApiError("Something went wrong on our side.", code="internal_error", status=500)
        else:
            error = ApiError("The request was refused.", status=response.status_code)
    headers = {name: value for name, value in response.headers.items()
               if name.lower() not in ("content-type", "content-length")}
    return error_response(error, headers)
