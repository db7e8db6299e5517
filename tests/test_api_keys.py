"""API keys as a product: several named keys per account, their lifecycle,
per-key rate limits and the move of an older account's single key
(chalicelib/keys/account_keys.py, chalicelib/keys/rate_limits.py)."""
import json

from chalicelib.platform.models import Account, ApiKeyRecord
from conftest import call


def create(client, user, name, rate_limit=None, idempotency_key=None):
    headers = dict(user.headers)
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return call(client, "POST", "/keys", headers, {"name": name, "rate_limit": rate_limit})


def metered(client, key):
    return call(client, "POST", "/test", {"x-api-key": key})


def test_a_key_is_created_listed_used_renamed_and_revoked(client, user):
    status, prod = create(client, user, "prod")
    assert status == 201, prod
    assert set(prod) == {"id", "name", "key", "prefix", "created_at", "rate_limit", "created_by"}
    assert prod["created_by"] == user.id
    assert prod["key"].startswith(prod["prefix"]) and prod["rate_limit"] is None
    status, staging = create(client, user, "staging", {"requests": 5, "per": "second"})
    assert status == 201 and staging["rate_limit"] == {"requests": 5, "per": "second"}
    assert metered(client, prod["key"]) == (200, {"credits": 49})
    assert metered(client, staging["key"]) == (200, {"credits": 48})
    status, listed = call(client, "GET", "/keys", user.headers)
    assert status == 200
    assert [k["name"] for k in listed["keys"]] == ["prod", "staging"]
    assert all(k["last_used_at"] for k in listed["keys"])
    assert prod["key"] not in json.dumps(listed) and "key" not in listed["keys"][0]
    status, renamed = call(client, "PATCH", "/keys/" + staging["id"], user.headers, {"name": "staging-eu"})
    assert (status, renamed["name"], renamed["rate_limit"]) == (200, "staging-eu", {"requests": 5, "per": "second"})
    status, _ = call(client, "DELETE", "/keys/" + staging["id"], user.headers)
    assert status == 204
    assert metered(client, staging["key"])[0] == 401
    assert metered(client, prod["key"]) == (200, {"credits": 47})
    assert [k["name"] for k in call(client, "GET", "/keys", user.headers)[1]["keys"]] == ["prod"]
    assert call(client, "DELETE", "/keys/" + staging["id"], user.headers)[0] == 404


def test_the_full_key_is_shown_once_and_only_parts_of_its_hash_are_stored(client, user):
    _, created = create(client, user, "ci")
    from chalicelib.keys.key_format import parse
    _, key_hash = parse(created["key"])
    account = json.dumps(Account.get(user.id, consistent_read=True).serialize(), default=str)
    record = json.dumps(ApiKeyRecord.get(user.id, "apikey:" + created["id"]).serialize(), default=str)
    for stored in (account, record):
        assert created["key"] not in stored and created["key"].split("_")[1] not in stored
        assert key_hash not in stored
    assert created["id"] == key_hash[:8] and key_hash[8:40] in account


def test_names_and_limits_are_checked_and_a_refusal_changes_nothing(client, user):
    bad = [{"name": ""}, {"name": "x" * 61}, {"name": "tab\there"}, {"name": 7}, {"name": "ok", "extra": 1},
           {"name": "ok", "rate_limit": {"requests": 0, "per": "second"}},
           {"name": "ok", "rate_limit": {"requests": 101, "per": "second"}},
           {"name": "ok", "rate_limit": {"requests": 5, "per": "hour"}},
           {"name": "ok", "rate_limit": {"requests": True, "per": "second"}},
           {"name": "ok", "rate_limit": {"requests": 5}}, {"name": "ok", "rate_limit": {"requests": 5, "per": {}}}]
    for body in bad:
        status, answer = call(client, "POST", "/keys", user.headers, body)
        assert status == 400, body
        assert answer["error"]["code"] in ("invalid_name", "invalid_rate_limit", "invalid_json")
    assert call(client, "GET", "/keys", user.headers)[1]["keys"] == []
    _, key = create(client, user, "  spaced  ")
    assert key["name"] == "spaced"
    for body in ({}, {"name": ""}, {"rate_limit": {"requests": 5, "per": "day"}}):
        assert call(client, "PATCH", "/keys/" + key["id"], user.headers, body)[0] == 400
    assert call(client, "PATCH", "/keys/nothex!!", user.headers, {"name": "x"})[0] == 404


def test_an_account_has_at_most_the_configured_number_of_keys(client, user, monkeypatch):
    monkeypatch.setenv("MAX_API_KEYS", "2")
    assert create(client, user, "one")[0] == create(client, user, "two")[0] == 201
    status, error = create(client, user, "three")
    assert (status, error["error"]["code"]) == (409, "too_many_keys")
    assert len(call(client, "GET", "/keys", user.headers)[1]["keys"]) == 2


def test_a_repeated_idempotency_key_creates_no_second_key(client, user):
    status, first = create(client, user, "deploy-bot", idempotency_key="make-bot-key")
    assert status == 201
    status, again = create(client, user, "deploy-bot", idempotency_key="make-bot-key")
    assert status == 200 and again["id"] == first["id"] and "key" not in again
    assert len(call(client, "GET", "/keys", user.headers)[1]["keys"]) == 1
    status, error = create(client, user, "another", idempotency_key="make-bot-key")
    assert (status, error["error"]["code"]) == (409, "idempotency_key_reused")


def test_a_key_of_one_account_never_reaches_another(client, new_user):
    alice, bob = new_user(), new_user()
    _, alice_key = create(client, alice, "alice")
    _, bob_key = create(client, bob, "bob")
    from chalicelib.keys.key_format import ApiKey
    forged = ApiKey(bob.id, alice_key["key"].split("_")[1]).value  # alice's secret, bob's account
    assert metered(client, forged)[0] == 401
    assert call(client, "PATCH", "/keys/" + bob_key["id"], alice.headers, {"name": "mine"})[0] == 404
    assert call(client, "DELETE", "/keys/" + bob_key["id"], alice.headers)[0] == 404
    assert metered(client, bob_key["key"]) == (200, {"credits": 49})
    assert metered(client, alice_key["key"]) == (200, {"credits": 49})
    assert [k["name"] for k in call(client, "GET", "/keys", bob.headers)[1]["keys"]] == ["bob"]


def test_generate_key_rotates_the_first_key_and_keeps_its_name_and_limit(client, user):
    _, first = create(client, user, "prod", {"requests": 5, "per": "minute"})
    _, second = create(client, user, "staging")
    status, rotated = call(client, "POST", "/generate-key", user.headers)
    assert status == 200
    assert metered(client, first["key"])[0] == 401
    assert metered(client, rotated["key"])[0] == metered(client, second["key"])[0] == 200
    keys = call(client, "GET", "/keys", user.headers)[1]["keys"]
    assert [(k["name"], k["rate_limit"]) for k in keys] == [
        ("prod", {"requests": 5, "per": "minute"}), ("staging", None)]
    assert rotated["key"].startswith(keys[0]["prefix"]) and keys[0]["created_at"] == first["created_at"]


def test_calls_racing_a_revoke_are_never_charged_after_it_is_acknowledged(api_url, client, user):
    import concurrent.futures
    import threading

    import requests

    _, doomed = create(client, user, "leaked")
    _, other = create(client, user, "prod")
    revoked = threading.Event()
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=8))

    def hammer(_):
        outcomes = []
        while len(outcomes) < 200:
            after_ack = revoked.is_set()
            status = session.post(api_url + "/test", headers={"x-api-key": doomed["key"]}, timeout=30).status_code
            outcomes.append((after_ack, status))
            if after_ack and len([o for o in outcomes if o[0]]) >= 5:
                break
        return outcomes

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        runs = [pool.submit(hammer, n) for n in range(6)]
        while int(Account.get(user.id, consistent_read=True).credits) > 40:  # some charged before the revoke
            assert not all(run.done() for run in runs)
        assert call(client, "DELETE", "/keys/" + doomed["id"], user.headers)[0] == 204
        charged_at_ack = 50 - int(Account.get(user.id, consistent_read=True).credits)
        revoked.set()
        outcomes = [outcome for run in runs for outcome in run.result()]
    assert {status for after_ack, status in outcomes if after_ack} == {401}
    charged = 50 - int(Account.get(user.id, consistent_read=True).credits)
    assert charged == charged_at_ack == sum(1 for _, status in outcomes if status == 200)
    assert metered(client, other["key"]) == (200, {"credits": 50 - charged - 1})


def legacy_account(client, user):
    """An account as it was before named keys: one key in api_key_* and no `k`."""
    from chalicelib.keys.key_format import ApiKey
    call(client, "GET", "/user", user.headers)  # provisions
    key = ApiKey.generate(user.id)
    Account(user.id).update(actions=[
        Account.api_keys.remove(), Account.api_key_hash.set(key.hash),
        Account.api_key_prefix.set(key.display_prefix), Account.api_key_created_at.set("2026-06-01T09:00:00.000000Z")])
    return key


def test_an_older_accounts_key_keeps_working_and_becomes_the_default_key(client, user):
    key = legacy_account(client, user)
    assert metered(client, key.value) == (200, {"credits": 49})
    account = Account.get(user.id, consistent_read=True)
    assert account.api_key_hash is None and account.api_key_prefix is None
    assert list(account.api_keys.as_dict()) == [key.id]
    _, listed = call(client, "GET", "/keys", user.headers)
    assert [(k["id"], k["name"], k["prefix"], k["created_at"], k["rate_limit"]) for k in listed["keys"]] == [
        (key.id, "Default", key.display_prefix, "2026-06-01T09:00:00.000000Z", None)]
    assert listed["keys"][0]["last_used_at"] is not None
    assert metered(client, key.value) == (200, {"credits": 48})


def test_the_account_page_moves_the_key_too_and_racing_moves_are_harmless(client, user):
    from chalicelib.keys import account_keys

    key = legacy_account(client, user)
    stale = Account.get(user.id, consistent_read=True)
    _, listed = call(client, "GET", "/keys", user.headers)
    assert [k["name"] for k in listed["keys"]] == ["Default"]
    assert account_keys.migrate(stale) is False  # a second move of the same key changes nothing
    assert len(Account.get(user.id, consistent_read=True).api_keys.as_dict()) == 1
    assert metered(client, key.value) == (200, {"credits": 49})
    _, created = create(client, user, "second")
    assert metered(client, created["key"]) == (200, {"credits": 48})


def test_a_wrong_key_on_an_older_account_moves_nothing(client, user):
    from chalicelib.keys.key_format import ApiKey
    key = legacy_account(client, user)
    assert metered(client, ApiKey.generate(user.id).value)[0] == 401
    assert Account.get(user.id, consistent_read=True).api_key_hash == key.hash
