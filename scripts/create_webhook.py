"""Register the Stripe webhook endpoint of a deployed (or local) API.

    python scripts/create_webhook.py https://<api>/api/stripe/webhook [--replace]
    python scripts/create_webhook.py https://<api>/api/stripe/webhook --stage dev

Subscribes to exactly the event types the app handles
(`chalicelib.billing.webhooks.HANDLED_EVENTS`). Stripe shows an endpoint's signing
secret only when it creates the endpoint. Without `--stage` the secret is
printed, to be set as STRIPE_WEBHOOK_SECRET; `--replace` deletes endpoints
with the same URL first, so the command can be run again for a new secret.

With `--stage` (what `make deploy` does) the secret goes to the stage's SSM
SecureString `/credits-saas/<stage>/stripe-webhook-secret` and is never
printed: an existing endpoint for the URL is kept (its events brought up to
date) while SSM holds its secret, and replaced when it does not.
Reads STRIPE_SECRET_KEY (and STRIPE_API_BASE for the local sandbox).
"""
import argparse
import sys

from scripts.deploy import webhook_endpoints



def store_in_stage(stripe, url, stage, out):
    import boto3

    from scripts.deploy import stripe_stage
    from scripts.deploy.stage import Stage

    stage = Stage.load(stage)
    ssm = boto3.client("ssm", region_name=stage.region)
    name = stage.webhook_secret_parameter
    webhook_endpoints.ensure_webhook(stripe, url, stripe_stage.stored(ssm, name) is not None,
                   lambda secret: stripe_stage.store(ssm, name, secret, "Stripe webhook signing secret"),
                   out)
    out("Stored in SSM SecureString %s" % name)
    return 0


def main(argv=None, out=print):
    parser = argparse.ArgumentParser(description="Register the app's Stripe webhook endpoint.")
    parser.add_argument("url", help="the API's /stripe/webhook URL")
    parser.add_argument("--replace", action="store_true", help="delete endpoints with this URL first")
    parser.add_argument("--stage", help="store the secret in this stage's SSM parameter, never print it")
    args = parser.parse_args(argv)
    if not args.url.startswith(("https://", "http://")):
        out("The URL must start with https:// (or http:// for a local API).")
        return 2
    from chalicelib.billing import stripe_client

    stripe = stripe_client.build()
    if stripe is None:
        out("STRIPE_SECRET_KEY is not set.")
        return 2
    if args.stage:
        return store_in_stage(stripe, args.url, args.stage, out)
    return 0 if webhook_endpoints.create_webhook(stripe, args.url, args.replace, out) is not None else 1


if __name__ == "__main__":
    sys.exit(main())
