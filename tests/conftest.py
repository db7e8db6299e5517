"""Shared fixtures: one moto server per session with the app's tables and a
user pool, and users signed up through the Cognito emulator."""
import itertools
import os
import sys
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "backend"))

from scripts import local_stack  # noqa: E402

REGION = "us-east-1"
PASSWORD = "correct-horse-9"
os.environ.setdefault("FRONTEND_ORIGIN", "http://localhost:5173")
os.environ.setdefault("ROUTE_COSTS", '{"/test": 1, "/test/heavy": 5}')


@pytest.fixture(scope="session")
def moto_url():
    server, url = local_stack.start_moto()
    local_stack.point_environment_at(url, REGION)
    yield url
    server.stop()


@pytest.fixture(scope="session")
def aws_stack(moto_url):
    local_stack.create_tables()
    pool_id, client_id, _ = local_stack.create_user_pool()
    local_stack.configure_auth(pool_id, client_id)
    return {"url": moto_url, "user_pool_id": pool_id, "client_id": client_id, "region": REGION}


@pytest.fixture(scope="session")
def app(aws_stack):
    from chalicelib import services
    services.reset()
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
        user_id = local_stack.sign_up(email, PASSWORD, aws_stack["client_id"])
        token = local_stack.sign_in(email, PASSWORD, aws_stack["client_id"])
        return User(email, user_id, token)
    return make


@pytest.fixture
def user(new_user):
    return new_user()
