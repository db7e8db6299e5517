"""The emulators without HTTP: boto3 clients in the test process reach the
moto backends the server serves, and the app's Stripe client the sandbox's
router, directly. Same state, same request handling (moto's own dispatcher,
the sandbox's own router), minus sockets and threads. The stacks that tests
start as processes (`make dev`, the browser journeys) still use HTTP, and
`MotoInProcess.over_http` and the HTTP replay keep that path tested here.

moto's dispatcher is private (`moto.core.models.botocore_stubber`), so this
is an emulator patch: written for moto 5.2.x, it stops on another moto
(scripts/devstack/emulator_guard.py; docs/local-stack.md, "Emulator patches")."""
import contextlib
import urllib.parse
import weakref

import stripe
from botocore.awsrequest import AWSResponse
from requests.structures import CaseInsensitiveDict

from scripts.devstack.emulator_guard import EmulatorPatchOutdated, MotoPatch, installed_moto

IN_PROCESS_DISPATCH = MotoPatch(
    "in-process-dispatch",
    "moto's in-process mock (mock_aws) still answering only requests addressed to AWS's own hosts, not those "
    "for a moto server's endpoint (tests/in_process.py calls moto's private botocore_stubber instead)")


class SandboxTransport(stripe.HTTPClient):
    """A Stripe SDK transport that hands each request to the sandbox's router."""

    name = "sandbox-in-process"

    def __init__(self, sandbox):
        super().__init__()
        self.sandbox = sandbox

    def request(self, method, url, headers, post_data=None, **_):
        parts = urllib.parse.urlsplit(url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        response = self.sandbox.handle(method.upper(), path, body, CaseInsensitiveDict(headers or {}))
        return response.body, response.status, response.headers

    def request_stream(self, method, url, headers, post_data=None, **_):
        raise NotImplementedError("the app streams nothing from Stripe")

    def close(self):
        pass


# botocore's service ids -> the names moto knows the service's AWS host by.
# Step Functions stays on HTTP: stopping an execution just started fails in
# moto's in-process dispatch (its worker is not set up yet), not its server.
AWS_HOST_NAMES = {"dynamodb": "dynamodb", "cognito-identity-provider": "cognito-idp"}


class MotoInProcess:
    """A botocore `before-send` handler: a request for the moto server at
    `url` is answered by moto here instead, addressed to AWS's own host for
    its service (moto's in-process dispatch). Other services and other
    addresses go out as usual. `install()` registers it on boto3's default
    session (every `boto3.client()` made from then on) and on each DynamoDB
    client of the app as PynamoDB first uses it (PynamoDB makes its own
    sessions)."""

    HANDLER_ID = "moto-in-process"

    def __init__(self, url, region):
        self.url = url.rstrip("/") + "/"
        self.region = region
        self.enabled = True
        self._dispatch = None
        self._raw_response = None
        self._followed = weakref.WeakSet()  # the PynamoDB clients that have the handler

    def install(self):
        import boto3
        from pynamodb.signals import pre_dynamodb_send

        with IN_PROCESS_DISPATCH.applying():
            from moto.core.botocore_stubber import MockRawResponse
            from moto.core.models import botocore_stubber

            self._dispatch, self._raw_response = botocore_stubber.process_request, MockRawResponse
        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        boto3.DEFAULT_SESSION.events.register("before-send", self, unique_id=self.HANDLER_ID)
        pre_dynamodb_send.connect(self._follow, weak=False)

    def _follow(self, connection, **_):
        """PynamoDB announces each request (its public signal) before building
        it: the connection's client gets the handler then, also a client made
        after install. Once per client: registering again would change
        nothing but costs a signature check and empties the client's handler
        cache, on every request."""
        client = connection.client
        if client not in self._followed:
            client.meta.events.register("before-send", self, unique_id=self.HANDLER_ID)
            self._followed.add(client)

    def __call__(self, request, event_name="", **_):
        name = AWS_HOST_NAMES.get(event_name.split(".")[1] if event_name.count(".") else "")
        if not self.enabled or name is None or not request.url.startswith(self.url):
            return None
        parts = urllib.parse.urlsplit(request.url)
        request.url = "https://%s.%s.amazonaws.com%s%s" % (
            name, self._region_of(request), parts.path, "?" + parts.query if parts.query else "")
        try:
            answer = self._dispatch(request)
        except Exception:  # noqa: BLE001 - what the server answers to a crash in moto: 500 (botocore retries)
            answer = 500, {}, b""
        if answer is None:
            raise EmulatorPatchOutdated(
                "emulator patch %s: moto %s did not answer %s in-process — check whether %s is fixed, then "
                "update or drop the patch." % (IN_PROCESS_DISPATCH.name, installed_moto(), request.url,
                                               IN_PROCESS_DISPATCH.bug))
        status, headers, body = answer
        return AWSResponse(request.url, status, headers, self._raw_response(body))

    def _region_of(self, request):
        """The region the request was signed for (unsigned Cognito calls: ours)."""
        authorization = request.headers.get("Authorization") or b""
        if isinstance(authorization, bytes):
            authorization = authorization.decode()
        scope = authorization.partition("Credential=")[2].split(",")[0].split("/")
        return scope[2] if len(scope) > 2 else self.region

    @contextlib.contextmanager
    def over_http(self):
        """While open, requests go to the moto server over HTTP again."""
        self.enabled = False
        try:
            yield
        finally:
            self.enabled = True


@contextlib.contextmanager
def stripe_in_process(sandbox):
    """While open, the app's Stripe client calls the sandbox without HTTP."""
    from chalicelib import billing
    from chalicelib.platform import reset_services
    from chalicelib.billing import stripe_client

    reset_services()
    billing.stripe.use(stripe_client.build(http_client=SandboxTransport(sandbox)))
    try:
        yield
    finally:
        reset_services()
