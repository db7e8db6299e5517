"""Shared fixtures: one moto server per session with the app's tables and a
user pool, and users signed up through the Cognito emulator."""
import itertools
import os
import uuid

import pytest

from scripts import ROOT
from scripts.devstack import emulator
from scripts.devstack.ports import free_port

pytest_plugins = ["suite_groups"]

REGION = "us-east-1"
PASSWORD = "correct-horse-9"
os.environ.setdefault("FRONTEND_ORIGIN", "http://localhost:5173")
os.environ.setdefault("ROUTE_COSTS", '{"/test": 1, "/test/heavy": 5}')


@pytest.fixture(scope="session")
def moto_url(moto_in_process):
    return moto_in_process.url.rstrip("/")


@pytest.fixture(scope="session")
def moto_in_process():
    """The worker's moto server; this process's own AWS calls to it are
    answered in-process (tests/in_process.py)."""
    from in_process import MotoInProcess
    from scripts.devstack import emulator_fixes

    server, url = emulator.start_moto()
    emulator_fixes.answer_items_as_json()
    emulator.point_environment_at(url, REGION)
    hook = MotoInProcess(url, REGION)
    hook.install()
    yield hook
    hook.enabled = False
    server.stop()


@pytest.fixture(scope="session")
def aws_stack(moto_url):
    emulator.create_tables()
    emulator.create_email_identity()
    pool_id, client_id, _ = emulator.create_user_pool()
    emulator.configure_auth(pool_id, client_id)
    return {"url": moto_url, "user_pool_id": pool_id, "client_id": client_id, "region": REGION}


@pytest.fixture(scope="session")
def app(aws_stack):
    """The app as `chalice local` runs it: the local stand-in for API Gateway
    answers unknown routes and methods in the API's error shape."""
    from chalicelib.platform import reset_services
    from scripts.devstack import local_gateway
    local_gateway.install()
    reset_services()
    import app as app_module
    return app_module.app


@pytest.fixture
def client(app):
    from chalice.test import Client
    with Client(app, stage_name="local", project_dir=os.path.join(ROOT, "backend")) as test_client:
        yield test_client


_emails = itertools.count()


class User:
    def __init__(self, email, user_id, token):
        self.email = email
        self.id = user_id
        self.token = token

    @property
    def headers(self):
        return {"Authorization": "Bearer " + self.token}


@pytest.fixture
def new_user(aws_stack):
    """A signed-up, confirmed user with an ID token (account not yet created)."""
    def make():
        email = "user-%d-%s@example.com" % (next(_emails), uuid.uuid4().hex[:8])
        user_id = emulator.sign_up(email, PASSWORD, aws_stack["client_id"])
        token = emulator.sign_in(email, PASSWORD, aws_stack["client_id"])
        return User(email, user_id, token)
    return make


@pytest.fixture
def user(new_user):
    return new_user()


def make_operator(aws_stack):
    """A signed-up user in the pool's `admins` group, signed in after joining
    (the group is in the ID token's `cognito:groups`)."""
    email = "operator-%d-%s@example.com" % (next(_emails), uuid.uuid4().hex[:8])
    user_id = emulator.sign_up(email, PASSWORD, aws_stack["client_id"])
    emulator.add_to_group(aws_stack["user_pool_id"], email, "admins")
    return User(email, user_id, emulator.sign_in(email, PASSWORD, aws_stack["client_id"]))


@pytest.fixture
def operator(aws_stack):
    return make_operator(aws_stack)


def call(client, method, path, headers=None, body=None):
    """A request through chalice.test.Client; returns (status, parsed JSON)."""
    import json
    data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
    headers = dict(headers or {})
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    response = client.http.request(method, path, headers=headers, body=data or b"")
    return response.status_code, json.loads(response.body) if response.body else None


@pytest.fixture
def flow(client, stripe_sandbox, user):
    """The user's purchases through the app and the Stripe sandbox."""
    from webhook_support import Flow
    return Flow(client, stripe_sandbox, user)


@pytest.fixture
def api_key(client, user):
    """The user's account (created by their first request) and a fresh key."""
    status, body = call(client, "POST", "/generate-key", user.headers)
    assert status == 200, body
    return body["key"]


@pytest.fixture(scope="session")
def api_url(app):
    """`chalice local` on the local stage, served in-process on a free port."""
    import threading
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    from scripts.devstack import local_server
    local_server.configure()  # as the API process of `make dev` serves
    config = CLIFactory(os.path.join(ROOT, "backend")).create_config_obj(chalice_stage_name="local")
    port = free_port()
    server = create_local_server(app, config, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % port
    server.shutdown()


@pytest.fixture(scope="session")
def stripe_sandbox(aws_stack):
    """The offline Stripe sandbox on a free port; from now on the app (and
    every service the domain packages build) talks to it."""
    from chalicelib.platform import reset_services
    from scripts.devstack.stripe import StripeSandbox

    sandbox = StripeSandbox(host="127.0.0.1", port=0, webhook_url=None, webhook_secret=None).start()
    saved = {name: os.environ.get(name) for name in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE")}
    os.environ["STRIPE_SECRET_KEY"] = "sk_test_local"
    os.environ["STRIPE_API_BASE"] = sandbox.url
    reset_services()
    yield sandbox
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    reset_services()
    sandbox.stop()


@pytest.fixture(scope="session")
def stripe_products(stripe_sandbox):
    """products.json synced into the sandbox and the product table; returns
    the plans by name as scripts/catalog/products.py validated them."""
    from chalicelib import billing
    from scripts.catalog.products import load_plans
    from scripts.catalog.sync import sync

    plans = load_plans()
    sync(plans, billing.stripe(), out=lambda line: None)
    return {plan["name"]: plan for plan in plans}


@pytest.fixture(scope="module")
def webhook_secret(stripe_sandbox, stripe_products):
    """The app verifies webhooks with this secret (tests sign with it)."""
    from chalicelib.platform import reset_services
    from webhook_support import WEBHOOK_SECRET

    os.environ["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    reset_services()
    yield WEBHOOK_SECRET
    os.environ.pop("STRIPE_WEBHOOK_SECRET", None)
    reset_services()


@pytest.fixture
def outbox_stream(app):
    """The ledger table's stream from now on, handed to the app's
    `send_emails` as the local stack hands it (scripts/devstack/stream_poller.py):
    `outbox_stream.drain()` sends what was recorded since."""
    import app as app_module
    from chalicelib.notices.outbox import STREAM_FILTER
    from chalicelib.platform import settings
    from scripts.devstack import stream_poller

    return stream_poller.StreamPoller(stream_poller.clients(), settings.ledger_table(), app_module.send_emails,
                                      pattern=STREAM_FILTER, sleep=lambda seconds: None)


@pytest.fixture(scope="session")
def shared_dev_stack(tmp_path_factory):
    """`make dev` (scripts/dev.py) once per test worker, for the files that use
    a running local stack as people would (tests/test_local_stack_orgs.py,
    _top_up.py, _client.py and the browser journeys in tests/e2e/): each test
    signs up people of its own, so they share the stack as customers share a
    deployment. tests/test_local_stack_e2e.py starts stacks of its own: it
    tests how they start and stop."""
    from dev_stack import shared_stack

    running = shared_stack(tmp_path_factory.mktemp("dev-stack"))
    try:
        yield running
    finally:
        running.stop()
        running.kill()
