"""The local stand-in for API Gateway answers unknown routes and methods in
the API's error shape, as the deployed API does.

`chalice local` and `chalice.test.Client` route requests in
`chalice.local.LocalGateway`, which answers a path no route matches with
API Gateway's `403 {"message": "Missing Authentication Token"}` before the app
sees the request, so no route or middleware can change it. On AWS the
deployed Gateway Responses map that to `404 not_found`; locally `install()`
does the same by wrapping the one method that fails for an unknown path. The
local HTTP server also answers methods it has no handler for (TRACE, QUERY,
anything) with an HTML 501; `install()` sends those through the app too,
which answers 405 with `Allow`. And the local HTTP server answers requests
in threads, while the app keeps the request it is answering on the app
object (`app.current_request`, and `app.lambda_context`) — one per Lambda
instance in AWS, shared by every thread locally, so two people's concurrent
requests could each be answered with the other's headers. `install()` makes
those two attributes hold one value per thread.

Only the local stack and the tests need this, so it lives here and never in
the Lambda package: the API process (`api_process.api_child_main`) installs
it before `chalice local` loads the app, and the test session installs it
before the tests import the app (tests/conftest.py).

It replaces private parts of `chalice.local`, written against chalice 1.34:
with another chalice version `install()` refuses to start, naming what to
check, rather than leaving the local API quietly answering differently from
the deployed one.
"""
import json
import threading

SUPPORTED_CHALICE = "1.34."
NOT_FOUND = {"error": {"code": "not_found", "message": "There is no such route."}}

_installed = []


class UnsupportedChalice(RuntimeError):
    """The installed chalice is not the one these patches were written for."""


def check_chalice_version(version=None):
    """The installed chalice version, if it is one `install()` supports."""
    if version is None:
        import chalice
        version = getattr(chalice, "__version__", "unknown")
    if not str(version).startswith(SUPPORTED_CHALICE):
        raise UnsupportedChalice(
            "scripts/devstack/local_gateway.py patches private parts of chalice.local written for "
            "chalice %sx, but chalice %s is installed. Check that LocalGateway._generate_lambda_event "
            "still raises ValueError for a path no route matches and that "
            "ChaliceRequestHandler._generic_handle still answers one request, then update "
            "SUPPORTED_CHALICE (tests/test_devstack_local_gateway.py covers both behaviours)."
            % (SUPPORTED_CHALICE, version))
    return version


def install():
    """Patch `chalice.local` once, in this process."""
    if _installed:
        return
    check_chalice_version()
    from chalice import local

    for owner, name in ((local.LocalGateway, "_generate_lambda_event"),
                        (local.ChaliceRequestHandler, "_generic_handle"),
                        (local, "LocalGatewayException")):
        if not hasattr(owner, name):
            raise UnsupportedChalice("chalice.local has no %s.%s: scripts/devstack/local_gateway.py "
                                     "needs updating." % (getattr(owner, "__name__", owner), name))

    class RouteNotFound(local.LocalGatewayException):
        CODE = 404

    original = local.LocalGateway._generate_lambda_event

    def generate_lambda_event(self, method, path, headers, body):
        try:
            return original(self, method, path, headers, body)
        except ValueError:
            headers = dict(cors_headers(self._app_object), **{"Content-Type": "application/json"})
            raise RouteNotFound(headers, json.dumps(NOT_FOUND).encode())

    local.LocalGateway._generate_lambda_event = generate_lambda_event
    local.ChaliceRequestHandler.__getattr__ = _any_method
    from chalice.app import Chalice
    for name in PER_REQUEST:
        setattr(Chalice, name, PerThread(name))
    _installed.append(True)


# What Chalice stores on the app object for the request it is answering.
PER_REQUEST = ("current_request", "lambda_context")


class PerThread:
    """An attribute of Chalice apps with one value per app and thread."""

    def __init__(self, name):
        self.name = name
        self._local = threading.local()

    def _values(self):
        if not hasattr(self._local, "values"):
            self._local.values = {}
        return self._local.values

    def __get__(self, app, owner=None):
        if app is None:
            return self
        return self._values().get(id(app))

    def __set__(self, app, value):
        self._values()[id(app)] = value


def cors_headers(app):
    """The CORS headers the app's routes answer with (none without CORS)."""
    cors = app.api.cors
    if cors is True:
        from chalice import CORSConfig
        cors = CORSConfig()
    return cors.get_access_control_headers() if cors else {}


def _any_method(handler, name):
    """`do_<METHOD>` for every method the local server has no handler for."""
    if name.startswith("do_"):
        return handler._generic_handle
    raise AttributeError(name)
