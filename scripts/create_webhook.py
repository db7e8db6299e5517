"""Register the Stripe webhook endpoint of a deployed (or local) API.

    python scripts/create_webhook.py https://<api>/api/stripe/webhook [--replace]

Subscribes to exactly the event types the app handles
(`chalicelib.webhooks.HANDLED_EVENTS`) and prints the endpoint's signing
secret, to be set as STRIPE_WEBHOOK_SECRET for the stage. Stripe shows a
secret only when the endpoint is created: `--replace` deletes endpoints with
the same URL first, so the command can be run again to get a new secret.
Reads STRIPE_SECRET_KEY (and STRIPE_API_BASE for the local sandbox).
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKEND = os.path.join(ROOT, "backend")
if BACKEND not in sys.path:
    sys.path.insert(0, BACKEND)


def existing_endpoints(stripe, url):
    listing = stripe.v1.webhook_endpoints.list(params={"limit": 100})
    return [endpoint for endpoint in listing.auto_paging_iter() if endpoint.url == url]


def create_webhook(stripe, url, replace=False, out=print):
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
    out("Signing secret (set STRIPE_WEBHOOK_SECRET to it): %s" % endpoint.secret)
    return endpoint


def main(argv=None, out=print):
    parser = argparse.ArgumentParser(description="Register the app's Stripe webhook endpoint.")
    parser.add_argument("url", help="the API's /stripe/webhook URL")
    parser.add_argument("--replace", action="store_true", help="delete endpoints with this URL first")
    args = parser.parse_args(argv)
    if not args.url.startswith(("https://", "http://")):
        out("The URL must start with https:// (or http:// for a local API).")
        return 2
    from chalicelib import stripe_client

    stripe = stripe_client.build()
    if stripe is None:
        out("STRIPE_SECRET_KEY is not set.")
        return 2
    return 0 if create_webhook(stripe, args.url, args.replace, out) is not None else 1


if __name__ == "__main__":
    sys.exit(main())
