"""The local stack's stand-in for API Gateway answers unknown routes in our
error shape.

`chalice local` and `chalice.test.Client` route requests in
`chalice.local.LocalGateway`, which answers a path no route matches with
API Gateway's `403 {"message": "Missing Authentication Token"}` before the app
sees the request, so no route or middleware can change it. On AWS the
deployed Gateway Responses map that to `404 not_found`; locally this module
does the same by wrapping the one method that fails for an unknown path.
The local HTTP server also answers methods it has no handler for (TRACE,
QUERY, anything) with an HTML 501; those go through the app too, which
answers 405 with `Allow`.
Installed only in local mode: the Lambda package never imports it.
"""
import json

_installed = []


def install(cors_headers):
    """Patch LocalGateway once; `cors_headers()` gives the CORS headers."""
    if _installed:
        return
    from chalice.local import ChaliceRequestHandler, LocalGateway, LocalGatewayException

    class RouteNotFound(LocalGatewayException):
        CODE = 404

    original = LocalGateway._generate_lambda_event

    def generate_lambda_event(self, method, path, headers, body):
        try:
            return original(self, method, path, headers, body)
        except ValueError:
            error = {"error": {"code": "not_found", "message": "There is no such route."}}
            raise RouteNotFound(dict(cors_headers(), **{"Content-Type": "application/json"}),
                                json.dumps(error).encode())

    LocalGateway._generate_lambda_event = generate_lambda_event
    ChaliceRequestHandler.__getattr__ = _any_method
    _installed.append(True)


def _any_method(handler, name):
    """`do_<METHOD>` for every method the local server has no handler for."""
    if name.startswith("do_"):
        return handler._generic_handle
    raise AttributeError(name)
