"""Local-stage token verification: anything but a valid ID token for this
pool and app client is a 401 JSON error, and creates nothing."""
import time

import pytest

import tokens
from conftest import call


def test_valid_token_reaches_the_user(client, user):
    status, body = call(client, "GET", "/user", user.headers)
    assert status == 200
    assert body["user"]["id"] == user.id
    assert body["user"]["email"] == user.email


def test_raw_token_without_bearer_is_accepted(client, user):
    status, _ = call(client, "GET", "/user", {"Authorization": user.token})
    assert status == 200


def _bad_token(stack, user, case):
    """The token for `case`, built alone (signing is the slow part)."""
    claims = tokens.claims_for(stack, user.id, user.email)
    now = int(time.time())
    return {
        "missing": lambda: None,
        "empty": lambda: "",
        "garbage": lambda: "not-a-token",
        "three garbage parts": lambda: "aaa.bbb.ccc",
        "expired": lambda: tokens.sign(dict(claims, iat=now - 7200, exp=now - 3600)),
        "forged": lambda: tokens.sign(claims, tokens.foreign_key(), "dummy"),
        "unknown kid": lambda: tokens.sign(claims, tokens.foreign_key(), "other"),
        "wrong audience": lambda: tokens.sign(dict(claims, aud="another-client")),
        "wrong issuer": lambda: tokens.sign(
            dict(claims, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other")),
        "access token": lambda: tokens.sign(dict(claims, token_use="access")),
        "no expiry": lambda: tokens.sign(tokens.claims_for(stack, user.id, user.email, exp=None)),
        "alg none": lambda: tokens.unsigned(claims),
        "two words": lambda: "Token " + tokens.sign(claims) + " extra",
    }[case]()


@pytest.mark.parametrize("case", [
    "missing", "empty", "garbage", "three garbage parts", "expired", "forged", "unknown kid",
    "wrong audience", "wrong issuer", "access token", "no expiry", "alg none", "two words",
])
def test_bad_tokens_are_refused_with_json_401(client, aws_stack, new_user, case):
    from chalicelib.platform.models import Account

    user = new_user()
    token = _bad_token(aws_stack, user, case)
    headers = {} if token is None else {"Authorization": token}
    for method, path in [("GET", "/user"), ("POST", "/generate-key"), ("GET", "/ledger"), ("GET", "/usage")]:
        status, body = call(client, method, path, headers)
        assert status == 401, (case, path, body)
        assert body["error"]["code"] in ("missing_token", "invalid_token")
        assert body["error"]["message"]
    assert Account.count(user.id) == 0


def test_a_well_signed_token_only_reaches_its_own_subject(client, aws_stack, new_user):
    alice, bob = new_user(), new_user()
    call(client, "GET", "/user", alice.headers)
    call(client, "GET", "/user", bob.headers)
    status, body = call(client, "GET", "/user", {"Authorization": tokens.sign(
        tokens.claims_for(aws_stack, bob.id, bob.email))})
    assert status == 200
    assert body["user"]["id"] == bob.id


def test_the_groups_claim_reads_as_a_set_from_a_token_or_api_gateways_claims():
    """A verified token carries a list; API Gateway's authorizer passes the
    claim as text ("[admins, other]" or "admins other")."""
    from chalicelib.web.auth import token_groups
    assert token_groups(["admins", "other"]) == {"admins", "other"}
    assert token_groups("[admins, other]") == {"admins", "other"}
    assert token_groups("admins other") == {"admins", "other"}
    assert token_groups("[]") == set() and token_groups(None) == set()
    assert "admins" not in token_groups("[administrators]")
