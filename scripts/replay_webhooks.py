"""Apply Stripe events whose webhook deliveries failed (docs/operations.md).

    python scripts/replay_webhooks.py --stage local|dev|prod [--since 7d|2026-11-30]

`local` reads the running local stack (.local/dev.json: API, Stripe sandbox,
webhook secret). A deployed stage reads its API URL from
backend/.chalice/deployed/<stage>.json and the Stripe key and webhook secret
from its SSM parameters (AWS credentials needed), unless STRIPE_SECRET_KEY /
STRIPE_WEBHOOK_SECRET are set.
"""
import argparse
import os
import sys


from scripts.ops.replay import replay, since_timestamp


def local_target(state_dir=None):
    from scripts.devstack.state import running_stack, state_dir as default_state_dir

    config = running_stack(os.path.join(default_state_dir(os.environ, state_dir), "dev.json"))
    if config is None:
        raise SystemExit("No local stack is running: start it with make dev.")
    return {"webhook_url": config["api_url"].rstrip("/") + "/stripe/webhook",
            "secret": config["stripe_webhook_secret"], "api_base": config.get("stripe_api_base"),
            "stripe_key": os.environ.get("STRIPE_SECRET_KEY") or "sk_test_local"}


def deployed_target(stage_name):
    import boto3

    from scripts.deploy.stage import Stage

    stage = Stage.load(stage_name)
    rest_api = stage.deployed().get("rest_api")
    if not rest_api:
        raise SystemExit("Stage %s is not deployed (no backend/.chalice/deployed/%s.json)." % (stage_name, stage_name))
    ssm = boto3.client("ssm", region_name=stage.region)

    def parameter(name):
        return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    return {"webhook_url": rest_api["rest_api_url"].rstrip("/") + "/stripe/webhook",
            "secret": os.environ.get("STRIPE_WEBHOOK_SECRET") or parameter(stage.webhook_secret_parameter),
            "stripe_key": os.environ.get("STRIPE_SECRET_KEY") or parameter(stage.stripe_key_parameter),
            "api_base": os.environ.get("STRIPE_API_BASE")}


def main(argv=None, out=None):
    out = out or (lambda line: print(line, flush=True))
    parser = argparse.ArgumentParser(description="Apply Stripe events whose webhook deliveries failed.")
    parser.add_argument("--stage", required=True, help="local, or a deployed stage (dev, prod)")
    parser.add_argument("--since", help="7d, 12h, 30m or a date; default: Stripe's 30 days")
    parser.add_argument("--state-dir", help="the local stack's state directory (default .local/)")
    args = parser.parse_args(argv)
    try:
        since = since_timestamp(args.since)
    except ValueError as error:
        parser.error(str(error))
    target = local_target(args.state_dir) if args.stage == "local" else deployed_target(args.stage)
    from chalicelib.billing import stripe_client

    stripe = stripe_client.build(api_key=target["stripe_key"], api_base=target["api_base"])
    out("Replaying to %s" % target["webhook_url"])
    applied, failed = replay(stripe, target["webhook_url"], target["secret"], since, out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
