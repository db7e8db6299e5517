"""Request parsing and error responses shared by the routes."""
import functools
import json
import logging

from chalice import Response

from chalicelib.errors import ApiError, BadRequest

logger = logging.getLogger("credits-saas")


def json_body(request, required=True):
    """The request's JSON object; malformed or non-object bodies are a 400."""
    raw = request.raw_body or b""
    if not raw.strip():
        if required:
            raise BadRequest("A JSON object body is required.", code="invalid_json")
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON.", code="invalid_json")
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", code="invalid_json")
    return body


def error_response(error):
    return Response(body=error.body(), status_code=error.status,
                    headers={"Content-Type": "application/json"})


def json_errors(view):
    """Every failure of a route becomes the same JSON shape, never a trace.
    Wraps the view (inside Chalice) so CORS headers still get added."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ApiError as error:
            return error_response(error)
        except Exception:
            logger.exception("unhandled error")
            return error_response(ApiError("Something went wrong on our side.",
                                           code="internal_error", status=500))
    return wrapper
