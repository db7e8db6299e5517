"""Register the Stripe webhook endpoint of a deployed (or local) API.

    python scripts/create_webhook.py https://<api>/api/stripe/webhook [--replace]
    python scripts/create_webhook.py https://<api>/api/stripe/webhook --stage dev

Subscribes to exactly the event types the app handles
(`chalicelib.webhooks.HANDLED_EVENTS`). Stripe shows an endpoint's signing
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

if not __package__:  # run as a file: make `scripts` importable
    import _bootstrap  # noqa: F401


def existing_endpoints(stripe, url):
    listing = stripe.v1.webhook_endpoints.list(params={"limit": 100})
    return [endpoint for endpoint in listing.auto_paging_iter() if endpoint.url == url]


def create_webhook(stripe, url, replace=False, out=print, show_secret=True):
    """The new endpoint, or None when one exists for `url` and `replace` is off."""
    from chalicelib.webhooks import HANDLED_EVENTS

    found = existing_endpoints(stripe, url)
    if found and not replace:
        out("An endpoint for %s exists already (%s); use --replace for a new one and its secret."
            % (url, ", ".join(endpoint.id for endpoint in found)))
        return None
    for endpoint in found:
        stripe.v1.webhook_endpoints.delete(endpoint.id)
        out("Deleted %s" % endpoint.id)
    endpoint = stripe.v1.webhook_endpoints.create(params={
        "url": url,
        "enabled_events": list(HANDLED_EVENTS),
        "description": "credits-saas: purchases, subscriptions and invoices",
    })
    out("Created %s for %s" % (endpoint.id, url))
    out("Events: %s" % ", ".join(HANDLED_EVENTS))
    if show_secret:
        out("Signing secret (set STRIPE_WEBHOOK_SECRET to it): %s" % endpoint.secret)
    return endpoint


def ensure_webhook(stripe, url, secret_stored, store_secret, out=print):
    """Exactly one endpoint for `url` whose secret is stored: keeps the one
    found while its secret is stored, else creates one (replacing any found)
    and hands the secret to `store_secret`. Returns the endpoint."""
    from chalicelib.webhooks import HANDLED_EVENTS

    found = existing_endpoints(stripe, url)
    if found and secret_stored and len(found) == 1:
        endpoint = found[0]
        if sorted(endpoint.enabled_events) != sorted(HANDLED_EVENTS):
            endpoint = stripe.v1.webhook_endpoints.update(
                endpoint.id, params={"enabled_events": list(HANDLED_EVENTS)})
            out("Webhook %s: events brought up to date" % endpoint.id)
        else:
            out("Webhook %s for %s is up to date" % (endpoint.id, url))
        return endpoint
    endpoint = create_webhook(stripe, url, replace=True, out=out, show_secret=False)
    store_secret(endpoint.secret)
    out("Signing secret stored (not shown)")
    return endpoint


def store_in_stage(stripe, url, stage, out):
    import boto3

    from scripts.deploy.stage import Stage
    from scripts.deploy import stripe_stage

    stage = Stage.load(stage)
    ssm = boto3.client("ssm", region_name=stage.region)
    name = stage.webhook_secret_parameter
    ensure_webhook(stripe, url, stripe_stage.stored(ssm, name) is not None,
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
    from chalicelib import stripe_client

    stripe = stripe_client.build()
    if stripe is None:
        out("STRIPE_SECRET_KEY is not set.")
        return 2
    if args.stage:
        return store_in_stage(stripe, args.url, args.stage, out)
    return 0 if create_webhook(stripe, args.url, args.replace, out) is not None else 1


if __name__ == "__main__":
    sys.exit(main())
