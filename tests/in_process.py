"""The emulators without HTTP: the app's DynamoDB clients and its Stripe
client call the moto backends and the Stripe sandbox the servers serve,
directly in the test's process. Same state, same request handling (moto's
own dispatcher, the sandbox's own router), minus sockets and threads — for
the tests that make thousands of calls; the others keep the HTTP path."""
import contextlib
import urllib.parse

import stripe
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from moto.core.models import botocore_stubber
from requests.structures import CaseInsensitiveDict

from scripts.measure.dynamodb_meter import app_clients


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


def _moto_handler(client):
    """A botocore `before-send` handler: the request, addressed to AWS's own
    host for the client's service, answered by moto in this process."""
    host = "https://%s.%s.amazonaws.com" % (client.meta.service_model.endpoint_prefix, client.meta.region_name)

    def send(request, **_):
        parts = urllib.parse.urlsplit(request.url)
        request.url = host + parts.path + ("?" + parts.query if parts.query else "")
        status, headers, body = botocore_stubber.process_request(request)
        return AWSResponse(request.url, status, headers, MockRawResponse(body))
    return send


@contextlib.contextmanager
def dynamodb_in_process():
    """While open, the app's DynamoDB calls skip moto's HTTP server."""
    handlers = [(client, _moto_handler(client)) for client in app_clients()]
    for client, handler in handlers:
        client.meta.events.register_first("before-send.dynamodb", handler)
    try:
        yield
    finally:
        for client, handler in handlers:
            client.meta.events.unregister("before-send.dynamodb", handler)


@contextlib.contextmanager
def stripe_in_process(sandbox):
    """While open, the app's Stripe client calls the sandbox without HTTP."""
    from chalicelib import services, stripe_client

    services.reset()
    services.provide("stripe", stripe_client.build(http_client=SandboxTransport(sandbox)))
    try:
        yield
    finally:
        services.reset()
