"""scripts/admin.py: the same console as the /admin routes, audited as `cli:<who>`."""
import json
import os

import pytest

from conftest import call
from scripts import admin

OPERATOR = "cli:tester"


def run(*argv):
    lines = []
    status = admin.run(admin.parser().parse_args(list(argv)), OPERATOR, lines.append)
    return status, lines


def answer(lines):
    return json.loads(lines[-1])


@pytest.fixture
def customer(client, user):
    assert call(client, "GET", "/user", user.headers)[0] == 200
    return user


def test_find_and_show_an_account_by_email(customer):
    status, lines = run("find", customer.email)
    assert status == 0 and [row["id"] for row in answer(lines)["accounts"]] == [customer.id]
    status, lines = run("show", customer.email)
    assert answer(lines)["account"]["id"] == customer.id


def test_a_grant_retried_with_its_key_applies_once_and_is_audited_as_cli(client, customer):
    status, lines = run("grant", customer.id, "500", "-r", "Outage credit", "--key", "cli-once")
    assert status == 0 and answer(lines)["applied"] is True
    assert "cli-once" in lines[0]
    status, lines = run("grant", customer.id, "500", "-r", "Outage credit", "--key", "cli-once")
    assert answer(lines)["applied"] is False
    assert call(client, "GET", "/user", customer.headers)[1]["user"]["purchased_credits"] == 500
    records = answer(run("audit", "--limit", "100")[1])["records"]
    mine = [r for r in records if r["account_id"] == customer.id]
    assert [(r["action"], r["operator"]) for r in mine] == [("grant", OPERATOR)]


def test_void_suspend_unsuspend_and_revoke_key(client, customer):
    key = call(client, "POST", "/generate-key", customer.headers)[1]["key"]
    assert answer(run("void", customer.id, "20", "-r", "Test credits back", "--bucket", "plan")[1])[
        "balances"]["plan_credits"] == 30
    assert answer(run("suspend", customer.id, "-r", "Abuse")[1])["suspension"]["operator"] == OPERATOR
    assert call(client, "POST", "/test", {"x-api-key": key})[1]["error"]["code"] == "account_suspended"
    run("unsuspend", customer.id, "-r", "Resolved")
    assert call(client, "POST", "/test", {"x-api-key": key})[0] == 200
    other = call(client, "POST", "/keys", customer.headers, {"name": "other"})[1]
    run("revoke-key", customer.id, "-r", "Leaked", "--key-id", other["id"])
    assert call(client, "POST", "/test", {"x-api-key": other["key"]})[0] == 401
    assert call(client, "POST", "/test", {"x-api-key": key})[0] == 200
    run("revoke-key", customer.id, "-r", "Leaked")
    assert call(client, "POST", "/test", {"x-api-key": key})[0] == 401


def test_a_refused_command_prints_the_error_and_changes_nothing(customer):
    lines = []
    args = admin.parser().parse_args(["void", customer.id, "999", "-r", "Too much"])
    from chalicelib.platform.errors import Conflict
    with pytest.raises(Conflict):
        admin.run(args, OPERATOR, lines.append)
    assert answer(run("show", customer.id)[1])["account"]["credits"] == 50


def test_summary_prints_the_business_figures(customer):
    summary = answer(run("summary", "--fresh")[1])["summary"]
    assert summary["accounts"] >= 1 and len(summary["daily"]) == 30


def test_promote_and_demote_change_the_group_the_id_token_carries(aws_stack, customer):
    from scripts.devstack import emulator
    from conftest import PASSWORD
    os.environ["USER_POOL_ID"] = aws_stack["user_pool_id"]
    run("promote", customer.email)
    token = emulator.sign_in(customer.email, PASSWORD, aws_stack["client_id"])
    assert "admins" in _groups(token)
    run("demote", customer.email)
    token = emulator.sign_in(customer.email, PASSWORD, aws_stack["client_id"])
    assert "admins" not in _groups(token)


def test_local_reads_the_running_stacks_dev_json(tmp_path, monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "REGION", "AWS_DEFAULT_REGION", "USER_POOL_ID"):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    from scripts.devstack import state
    (tmp_path / "dev.json").write_text(json.dumps({
        "pid": 1, "aws_endpoint_url": "http://127.0.0.1:1", "region": "eu-west-1",
        "user_pool_id": "eu-west-1_pool"}))
    running = {str(tmp_path / "dev.json")}
    monkeypatch.setattr(state, "running_stack",
                        lambda path: json.loads(open(path).read()) if path in running else None)
    operator = admin.configure("local", str(tmp_path))
    assert operator.startswith("cli:") and os.environ["USER_POOL_ID"] == "eu-west-1_pool"
    with pytest.raises(SystemExit):
        admin.configure("local", str(tmp_path / "nothing-here"))


def _groups(token):
    import jwt
    return jwt.decode(token, options={"verify_signature": False}).get("cognito:groups", [])
