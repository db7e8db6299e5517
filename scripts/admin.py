"""The operators' console on the command line: the same chalicelib services
as the `/admin` routes, audited with the operator `cli:<who>`.

    python scripts/admin.py [--stage local|dev|prod] COMMAND ...

    find QUERY                      email prefix, account id, API key, cus_… or ak_…
    show ACCOUNT                    balances, Stripe, usage, ledger, suspension
    grant ACCOUNT CREDITS -r WHY    [--bucket purchased|plan] [--key IDEMPOTENCY-KEY]
    void ACCOUNT CREDITS -r WHY     [--bucket …] [--allow-negative] [--key …]
    suspend ACCOUNT -r WHY          metered calls answer 403 account_suspended
    unsuspend ACCOUNT -r WHY
    revoke-key ACCOUNT -r WHY       every API key of the account stops working at once
                                    [--key-id ID: only that key]
    summary [--fresh]               accounts, subscriptions, MRR, credits, purchases
    audit [--limit N]               operators' actions, newest first
    promote EMAIL / demote EMAIL    add to / remove from the Cognito group `admins`

ACCOUNT is an account id, or anything `find` matches exactly once. `local`
(the default) is the running `make dev` stack (.local/dev.json); a deployed
stage uses the tables and pool recorded in backend/.chalice/config.json and
the caller's AWS credentials, and the audit names the caller's IAM identity.
A grant or void without `--key` gets a fresh Idempotency-Key, printed so a
retry of the same adjustment can pass it again and apply once.
"""
import argparse
import getpass
import json
import os
import sys
import uuid


OPERATORS_GROUP = "admins"


def configure(stage, state_dir=None):
    """Point chalicelib at the stage's tables and pool; returns the operator id."""
    if stage == "local":
        from scripts.devstack.state import running_stack, state_dir as default_state_dir

        config = running_stack(os.path.join(default_state_dir(os.environ, state_dir), "dev.json"))
        if config is None:
            raise SystemExit("No local stack is running: start it with make dev.")
        os.environ.update(AWS_ENDPOINT_URL=config["aws_endpoint_url"], REGION=config["region"],
                          AWS_DEFAULT_REGION=config["region"], USER_POOL_ID=config["user_pool_id"])
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        return "cli:" + getpass.getuser()
    from scripts.deploy.stage import Stage

    environment = Stage.load(stage).environment
    for name in ("ACCOUNTS_TABLE", "LEDGER_TABLE", "PRODUCTS_TABLE", "USER_POOL_ID", "REGION",
                 "STRIPE_SECRET_KEY_PARAMETER"):
        if environment.get(name):
            os.environ[name] = environment[name]
    import boto3
    return "cli:" + boto3.client("sts").get_caller_identity()["Arn"]


def parser():
    top = argparse.ArgumentParser(description="The operators' console.")
    top.add_argument("--stage", default="local", help="local (default), or a deployed stage")
    top.add_argument("--state-dir", help="the local stack's state directory (default .local/)")
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("find").add_argument("query")
    commands.add_parser("show").add_argument("account")
    for name in ("grant", "void"):
        command = commands.add_parser(name)
        command.add_argument("account")
        command.add_argument("credits", type=int)
        command.add_argument("-r", "--reason", required=True)
        command.add_argument("--bucket", choices=("purchased", "plan"), default="purchased")
        command.add_argument("--key", help="Idempotency-Key (default: a new one, printed)")
        if name == "void":
            command.add_argument("--allow-negative", action="store_true")
    for name in ("suspend", "unsuspend", "revoke-key"):
        command = commands.add_parser(name)
        command.add_argument("account")
        command.add_argument("-r", "--reason", required=True)
        if name == "revoke-key":
            command.add_argument("--key-id", help="revoke only this key (8 hex digits; `show` lists them)")
    commands.add_parser("summary").add_argument("--fresh", action="store_true")
    commands.add_parser("audit").add_argument("--limit", type=int, default=20)
    commands.add_parser("promote").add_argument("email")
    commands.add_parser("demote").add_argument("email")
    return top


def run(args, operator, out):
    """One command through chalicelib.operators.console; prints its JSON answer."""
    from chalicelib import operators
    from chalicelib.operators.adjustments import parse_reason

    console = operators.operator_console()
    command = args.command
    if command in ("promote", "demote"):
        return membership(command, args.email, out)
    if command == "find":
        answer = console.find(args.query.strip())
    elif command == "summary":
        answer = console.summary(fresh=args.fresh)
    elif command == "audit":
        answer = console.audit(limit=max(1, min(args.limit, 100)))
    else:
        account_id = resolve(console, args.account)
        if command == "show":
            answer = console.show(account_id)
        elif command in ("grant", "void"):
            amount = abs(args.credits) if command == "grant" else -abs(args.credits)
            key = args.key or "cli-" + uuid.uuid4().hex
            out("Idempotency-Key: %s (pass --key %s to retry this %s once)" % (key, key, command))
            answer = console.adjust(account_id, amount, args.bucket, parse_reason(args.reason), key, operator,
                                    getattr(args, "allow_negative", False))
        elif command == "revoke-key":
            from chalicelib.operators.console import parse_key_id
            answer = console.revoke_key(account_id, parse_reason(args.reason), operator,
                                        parse_key_id({"key_id": args.key_id}))
        else:
            answer = getattr(console, command)(account_id, parse_reason(args.reason), operator)
    out(json.dumps(answer, indent=2, sort_keys=True))
    return 0


def resolve(console, text):
    """An account id from an id, key, email or customer id matching one account."""
    from chalicelib.platform.errors import NotFound

    rows = console.find(text.strip(), limit=2)["accounts"]
    if len(rows) != 1:
        raise NotFound("%d accounts match %r; use the account id (find shows them)." % (len(rows), text))
    return rows[0]["id"]


def membership(command, email, out):
    """Adds to or removes from the operators' group; they sign in again to
    get an ID token that says so."""
    from chalicelib.platform import settings
    import boto3

    cognito = boto3.client("cognito-idp", region_name=settings.region(), endpoint_url=settings.aws_endpoint_url())
    change = cognito.admin_add_user_to_group if command == "promote" else cognito.admin_remove_user_from_group
    change(UserPoolId=settings.user_pool_id(), Username=email, GroupName=OPERATORS_GROUP)
    out("%s %s the %s group; they sign in again for it to take effect." % (
        email, "is now in" if command == "promote" else "is no longer in", OPERATORS_GROUP))
    return 0


def main(argv=None, out=None):
    out = out or (lambda line: print(line, flush=True))
    args = parser().parse_args(argv)
    operator = configure(args.stage, args.state_dir)
    from chalicelib.platform.errors import ApiError

    try:
        return run(args, operator, out)
    except ApiError as error:
        out("error: %s (%s)" % (error.message, error.code))
        return 2


if __name__ == "__main__":
    sys.exit(main())
