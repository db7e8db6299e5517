"""Provisioning (trigger and first request), the user view and API keys."""
import json

from chalicelib.platform.models import Account, LedgerEntry
from conftest import call


def confirmation_event(user):
    return {
        "version": "1", "triggerSource": "PostConfirmation_ConfirmSignUp", "region": "us-east-1",
        "userName": user.id, "callerContext": {"clientId": "web"},
        "request": {"userAttributes": {"sub": user.id, "email": user.email, "email_verified": "true"}},
        "response": {},
    }


def test_post_confirmation_creates_the_free_account_and_returns_the_event(client, user):
    event = confirmation_event(user)
    result = client.lambda_.invoke("post_confirmation", event)
    assert result.payload == event
    account = Account.get(user.id, consistent_read=True)
    assert (account.plan, int(account.credits), account.email) == ("Free", 50, user.email)
    assert account.api_key_hash is None and account.api_keys.as_dict() == {}  # keys are made by the customer
    entries = list(LedgerEntry.query(user.id))
    assert [(e.kind, int(e.credits)) for e in entries] == [("signup", 50)]


def test_post_confirmation_twice_changes_nothing(client, user):
    event = confirmation_event(user)
    client.lambda_.invoke("post_confirmation", event)
    before = Account.get(user.id, consistent_read=True).serialize()
    client.lambda_.invoke("post_confirmation", event)
    after = Account.get(user.id, consistent_read=True).serialize()
    assert before == after
    assert LedgerEntry.count(user.id) == 1


def test_first_authenticated_request_provisions_the_same_way(client, user):
    assert Account.count(user.id) == 0
    status, body = call(client, "GET", "/user", user.headers)
    assert status == 200
    assert body["user"] == {
        "id": user.id, "email": user.email, "plan": "Free", "credits": 50, "plan_credits": 50,
        "purchased_credits": 0, "owed_credits": 0, "subscription": None, "next_reset_at": None, "suspension": None,
        "org": {"id": user.id, "name": "Personal", "role": "owner", "personal": True},
    }
    call(client, "GET", "/user", user.headers)
    assert LedgerEntry.count(user.id) == 1


def test_generate_key_shows_it_once_and_revokes_the_previous(client, user):
    _, first = call(client, "POST", "/generate-key", user.headers)
    _, second = call(client, "POST", "/generate-key", user.headers)
    assert first["key"] != second["key"]
    assert call(client, "POST", "/test", {"x-api-key": first["key"]})[0] == 401
    assert call(client, "POST", "/test", {"x-api-key": second["key"]}) == (200, {"credits": 49})
    _, listed = call(client, "GET", "/keys", user.headers)
    assert [(k["name"], second["key"].startswith(k["prefix"])) for k in listed["keys"]] == [("Default", True)]
    assert second["key"] not in json.dumps(listed)


def test_keys_are_stored_only_as_hashes(client, user, api_key):
    item = Account.get(user.id, consistent_read=True).serialize()
    assert api_key not in json.dumps(item, default=str)
    assert api_key.split("_")[1] not in json.dumps(item, default=str)


def test_a_key_only_spends_its_own_account(client, new_user):
    alice, bob = new_user(), new_user()
    _, alice_key = call(client, "POST", "/generate-key", alice.headers)
    call(client, "GET", "/user", bob.headers)
    call(client, "POST", "/test", {"x-api-key": alice_key["key"]})
    assert Account.get(bob.id, consistent_read=True).credits == 50
    assert Account.get(alice.id, consistent_read=True).credits == 49
