"""Leaving: `DELETE /user` erases a person (resumably, keeping the ledger for
bookkeeping) and `GET /user/export` gives them a copy of their data
(chalicelib/privacy)."""
import json

import boto3
import pytest

from chalicelib.platform import settings
from chalicelib.platform.models import Account, AuditRecord, LedgerEntry
from conftest import call
from email_support import inbox_of
from scripts.devstack import inbox
from webhook_support import deliver_all


@pytest.fixture(scope="module", autouse=True)
def inbox_keeps_parts():
    inbox.keep_message_parts()


def everything_in_the_tables():
    """Every item of every table, as text."""
    dynamodb = boto3.client("dynamodb", region_name=settings.region(), endpoint_url=settings.aws_endpoint_url())
    text = []
    for table in (settings.accounts_table(), settings.ledger_table(), settings.products_table()):
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            text.extend(json.dumps(item) for item in page["Items"])
    return "\n".join(text).lower()


def create_org(client, owner, name):
    status, body = call(client, "POST", "/orgs", owner.headers, {"name": name})
    assert status == 201, body
    return body["org"]["id"]


def join(client, owner, org_id, person, role="developer"):
    from test_orgs import join as join_org
    return join_org(client, owner, org_id, person, role)


@pytest.fixture
def customer(client, user, stripe_sandbox, stripe_products, webhook_secret):
    """A person with a key, a paid subscription and a membership of someone else's team."""
    assert call(client, "GET", "/user", user.headers)[0] == 200
    status, body = call(client, "POST", "/checkout", user.headers, {"plan": "Basic", "subscribe": True})
    assert status == 200, body
    stripe_sandbox.complete_checkout(body["session_id"])
    customer_id = Account.get(user.id, consistent_read=True).stripe_customer_id
    deliver_all(client, stripe_sandbox.events(customer=customer_id))
    assert Account.get(user.id, consistent_read=True).plan == "Basic"
    status, key = call(client, "POST", "/keys", user.headers, {"name": "prod"})
    assert status == 201
    return user, key["key"], customer_id


def test_deleting_an_account_erases_the_person_and_keeps_the_books(client, customer, new_user, stripe_sandbox,
                                                                    aws_stack):
    user, key, customer_id = customer
    other = new_user()
    team = create_org(client, other, "Acme")
    join(client, other, team, user)
    team_key = call(client, "POST", "/keys", dict(user.headers, **{"X-Org-Id": team}), {"name": "t"})[1]["key"]
    pending_elsewhere = create_org(client, other, "Beta")
    assert call(client, "POST", "/orgs/%s/invitations" % pending_elsewhere, other.headers,
                {"email": user.email, "role": "billing"})[0] == 201
    ledger_before = sorted((e.key, int(e.credits)) for e in LedgerEntry.query(user.id) if e.kind)

    status, body = call(client, "DELETE", "/user", user.headers, {"confirm": user.email.upper()})
    assert status == 202, body
    assert body["deletion"]["status"] == "done"

    assert user.email.lower() not in everything_in_the_tables()
    assert call(client, "GET", "/user", user.headers)[1]["error"]["code"] == "account_deleted"
    assert call(client, "GET", "/user", user.headers)[0] == 401
    assert call(client, "POST", "/test", {"x-api-key": key})[0] == 401
    assert call(client, "POST", "/test", {"x-api-key": team_key})[0] == 401
    assert [m["user_id"] for m in call(client, "GET", "/orgs/%s/members" % team, other.headers)[1]["members"]] \
        == [other.id]
    assert stripe_sandbox.get(customer_id).get("deleted") is True
    from chalicelib import billing
    subscriptions = billing.stripe().v1.subscriptions.list(params={"customer": customer_id, "status": "all"}).data
    assert subscriptions and {subscription.status for subscription in subscriptions} == {"canceled"}
    cognito = boto3.client("cognito-idp", region_name=settings.region(), endpoint_url=settings.aws_endpoint_url())
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=aws_stack["user_pool_id"], Username=user.id)
    # The books: every earlier entry is still there, under the account id, without the person.
    ledger_after = sorted((e.key, int(e.credits)) for e in LedgerEntry.query(user.id) if e.kind)
    assert set(ledger_before) <= set(ledger_after)
    tombstone = Account.get(user.id, consistent_read=True)
    assert tombstone.email is None and tombstone.deleted_at and tombstone.stripe_customer_id == customer_id
    audit = [r for r in AuditRecord.query("audit") if r.account_id == user.id]
    assert [(r.action, r.operator) for r in audit] == [("delete_account", "self:" + user.id)]
    farewell = [m for m in inbox_of(user) if "deleted" in m["subject"]]
    assert len(farewell) == 1 and "bookkeeping" in farewell[0]["text"]


STEPS = ("cancel_subscriptions", "revoke_keys", "stop_refill", "leave_organisations", "delete_stripe_customer",
         "delete_sign_in", "send_farewell", "erase_personal_data")


@pytest.mark.parametrize("failing", STEPS)
def test_a_deletion_cut_short_at_any_step_is_finished_by_calling_again(client, customer, failing, monkeypatch):
    from chalicelib import privacy
    from chalicelib.privacy.deletion import AccountDeletion

    user, key, _ = customer

    def crash(*_):
        raise RuntimeError("the process died here")
    monkeypatch.setattr(AccountDeletion, failing, crash)
    status, body = call(client, "DELETE", "/user", user.headers, {"confirm": user.email})
    assert status == 500
    assert call(client, "GET", "/user", user.headers)[0] == 401  # nothing else answers once it began
    monkeypatch.undo()
    privacy.account_deletion.reset()
    status, body = call(client, "DELETE", "/user", user.headers, {"confirm": "anything: it has begun"})
    assert status == 202, body
    assert user.email.lower() not in everything_in_the_tables()
    assert call(client, "POST", "/test", {"x-api-key": key})[0] == 401
    assert len([m for m in inbox_of(user) if "deleted" in m["subject"]]) == 1
    assert len([r for r in AuditRecord.query("audit") if r.account_id == user.id]) == 1
    assert call(client, "DELETE", "/user", user.headers, {"confirm": user.email})[0] == 401


def test_the_last_owner_of_a_team_is_refused_until_it_is_handed_over(client, user, new_user):
    team = create_org(client, user, "Acme")
    other = new_user()
    join(client, user, team, other, "admin")
    status, body = call(client, "DELETE", "/user", user.headers, {"confirm": user.email})
    assert (status, body["error"]["code"]) == (409, "owns_organisations")
    assert body["error"]["organisations"] == [{"id": team, "name": "Acme"}]
    assert Account.get(user.id).deletion_started_at is None
    assert call(client, "POST", "/orgs/%s/transfer" % team, user.headers, {"user_id": other.id})[0] == 200
    assert call(client, "DELETE", "/user", user.headers, {"confirm": user.email})[0] == 202
    assert call(client, "GET", "/orgs/%s/members" % team, other.headers)[1]["members"][0]["user_id"] == other.id


@pytest.mark.parametrize("body, status, code", [
    ({}, 400, "invalid_confirmation"), ({"confirm": ""}, 400, "invalid_confirmation"),
    ({"confirm": 3}, 400, "invalid_confirmation"), ({"confirm": "someone@else.example"}, 409, "confirmation_mismatch")])
def test_a_deletion_needs_the_accounts_own_email_and_a_wrong_one_changes_nothing(client, user, body, status, code):
    assert call(client, "GET", "/user", user.headers)[0] == 200
    answer = call(client, "DELETE", "/user", user.headers, body)
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)
    assert call(client, "GET", "/user", user.headers)[0] == 200


def test_an_export_holds_the_persons_data_and_no_secret(client, customer, new_user):
    user, key, _ = customer
    other = new_user()
    team = create_org(client, other, "Acme")
    join(client, other, team, user, "billing")
    call(client, "POST", "/test", {"x-api-key": key})
    response = client.http.get("/user/export", headers=user.headers)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="account-data.json"'
    data = json.loads(response.body)
    assert data["profile"]["email"] == user.email and data["profile"]["plan"] == "Basic"
    assert [(o["name"], o["role"]) for o in data["organisations"]] == [("Personal", "owner"), ("Acme", "billing")]
    assert [k["name"] for k in data["api_keys"]] == ["prod"]
    assert {"signup", "plan"} <= {entry["kind"] for entry in data["ledger"]}
    assert sum(day["credits"] for day in data["usage"]) == 1
    assert len(data["invoices"]) == 1 and data["invoices"][0]["status"] == "paid"
    assert data["notifications"] == {"low_balance": True, "product_updates": True}
    assert key not in response.body.decode() and user.token not in response.body.decode()


def test_exports_are_a_few_an_hour(client, user):
    for _ in range(3):
        assert call(client, "GET", "/user/export", user.headers)[0] == 200
    response = client.http.get("/user/export", headers=user.headers)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 3600
