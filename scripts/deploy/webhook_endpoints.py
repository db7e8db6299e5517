"""The Stripe webhook endpoint of an API: created with exactly the event types
the app handles, kept while its signing secret is stored, replaced when not.
Used by scripts/create_webhook.py and by the deploy."""
from chalicelib.billing.webhooks import HANDLED_EVENTS


def existing_endpoints(stripe, url):
    listing = stripe.v1.webhook_endpoints.list(params={"limit": 100})
    return [endpoint for endpoint in listing.auto_paging_iter() if endpoint.url == url]


def create_webhook(stripe, url, replace=False, out=print, show_secret=True):
    """The new endpoint, or None when one exists for `url` and `replace` is off."""
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
