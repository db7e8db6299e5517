"""A team on the stack `make dev` runs (scripts/dev.py, free ports, its own
state), tried as a team would: an owner creates Acme and invites a developer
and a billing member by email; the developer, who already has an account,
accepts from the emailed link, makes a key in Acme and calls the API — Acme's
wallet pays, after the billing member bought Basic for it; the roles keep
each to their part; removing the developer stops their Acme key at once;
after a transfer the old owner cannot delete Acme and the new, last owner
cannot leave."""
import re
import urllib.parse
import uuid

import pytest

from scripts.devstack.demo import Api, local_session, sandbox_post, sign_in, sign_up


@pytest.fixture(scope="module")
def stack(shared_dev_stack):
    return shared_dev_stack


def person(config, role):
    email = "%s-%s@example.com" % (role, uuid.uuid4().hex[:10])
    sign_up(config, email)
    return email, sign_in(config, email)


def test_a_team_shares_one_wallet_and_each_role_keeps_to_its_part(stack):
    config = stack.config
    api = Api(config["api_url"])
    (_, owner), (developer_email, developer), (billing_email, biller) = (
        person(config, role) for role in ("owner", "developer", "billing"))
    developer_id = api.call("GET", "/user", token=developer)[1]["user"]["id"]  # an account already
    acme = api.call("POST", "/orgs", token=owner, body={"name": "Acme"}, expect=201)[1]["org"]["id"]

    def emailed_token(email):
        def find():
            messages = local_session().get(config["inbox_url"] + "/messages", timeout=10).json()["messages"]
            return [m for m in messages if m["to"] == email and "invited you to Acme" in m["subject"]]
        text = stack.wait_for("the invitation email", find)[0]["text"]
        link = re.search(r"\S+/invite\?token=\S+", text).group(0)
        assert link.startswith(config["frontend_url"])
        return urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"][0]

    for email, token, role in ((developer_email, developer, "developer"), (billing_email, biller, "billing")):
        api.call("POST", "/orgs/%s/invitations" % acme, token=owner, body={"email": email, "role": role},
                 expect=201)
        joined = api.call("POST", "/invitations/accept", token=token, body={"token": emailed_token(email)})[1]
        assert joined["org"] == {"id": acme, "name": "Acme", "role": role, "personal": False}

    # The billing member buys Basic for Acme; the developer may not, and the billing member makes no keys.
    assert api.call("POST", "/checkout", token=developer, org=acme, body={"plan": "Basic", "subscribe": False},
                    expect=403)[1]["error"]["code"] == "forbidden_role"
    assert api.call("POST", "/keys", token=biller, org=acme, body={"name": "x"},
                    expect=403)[1]["error"]["code"] == "forbidden_role"
    session = api.call("POST", "/checkout", token=biller, org=acme, body={"plan": "Basic", "subscribe": False})[1]
    sandbox_post(config, "/_sandbox/checkout/%s/complete" % session["session_id"])
    stack.wait_for("Acme's Basic pack",
                   lambda: api.call("GET", "/user", token=owner, org=acme)[1]["user"]["credits"] == 1000)

    # The developer's Acme key spends Acme's credits, not their own.
    key = api.call("POST", "/keys", token=developer, org=acme, body={"name": "acme-ci"}, expect=201)[1]
    assert api.call("POST", "/test", api_key=key["key"])[1] == {"credits": 999}
    assert api.call("GET", "/user", token=developer)[1]["user"]["credits"] == 50

    # Removed, the developer's Acme key stops at once.
    removed = api.call("DELETE", "/orgs/%s/members/%s" % (acme, developer_id), token=owner)[1]
    assert removed["revoked_keys"] == [key["id"]]
    assert api.call("POST", "/test", api_key=key["key"], expect=401)[1]["error"]["code"] == "invalid_api_key"
    assert api.call("GET", "/user", token=developer, org=acme, expect=404)[1]["error"]["code"] == "org_not_found"

    # Ownership moves to the billing member: the old owner cannot delete Acme, the new last owner cannot leave.
    billing_id = api.call("GET", "/user", token=biller)[1]["user"]["id"]
    assert api.call("POST", "/orgs/%s/transfer" % acme, token=owner, body={"user_id": billing_id})[1]["org"][
        "role"] == "admin"
    assert api.call("DELETE", "/orgs/%s" % acme, token=owner, expect=403)[1]["error"]["code"] == "forbidden_role"
    assert api.call("DELETE", "/orgs/%s/members/%s" % (acme, billing_id), token=biller,
                    expect=409)[1]["error"]["code"] == "last_owner"
