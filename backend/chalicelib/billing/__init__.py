"""Billing: everything Stripe tells us or we ask of it — the one configured
Stripe client (`stripe_client`); Checkout, going back to Free and the billing
portal (`checkout`); keeping an account's plan in step with its
subscriptions (`subscriptions`) and switching plans (`plan_changes`); the
signed webhook that dispatches Stripe's events (`webhooks`, reading Stripe's
objects through `stripe_objects`); and money after the sale — what a charge
paid for (`charges`), refunds, disputes and the exact take-backs they lead to
(`refunds`, `disputes`, `payments`); automatic top-up, from the saved card to
the grant (`top_ups`); the billing history, an invoice per payment
(`invoices`). Services that need Stripe are None on a stage without it."""
from chalicelib import credits, notices
from chalicelib.platform import settings
from chalicelib.platform.errors import ApiError
from chalicelib.platform import once


@once
def stripe():
    """The Stripe client, or None when Stripe is not configured on this stage."""
    from chalicelib.billing import stripe_client  # stripe: off the cold start of other routes
    return stripe_client.build()


@once
def customer_billing():
    """Checkout, back to Free and the billing portal; None without Stripe."""
    client = stripe()
    if client is None:
        return None
    from chalicelib.billing.checkout import Billing  # pynamodb: off the cold start of other routes
    return Billing(client, credits.plan_catalog(), subscription_sync())


def required_billing():
    """customer_billing(), or a 503 on a stage without Stripe."""
    service = customer_billing()
    if service is None:
        raise ApiError("Billing is not configured on this stage.", code="billing_unavailable", status=503)
    return service


@once
def plan_switch():
    """Upgrades now, downgrades at the period's end (needs Stripe)."""
    from chalicelib.billing.plan_changes import PlanChanges  # pynamodb: off the cold start
    return PlanChanges(stripe(), credits.plan_catalog(), subscription_sync())


@once
def subscription_sync():
    """Keeps accounts' plans in step with Stripe subscriptions; None without Stripe."""
    client = stripe()
    if client is None:
        return None
    from chalicelib.billing.subscriptions import SubscriptionSync  # pynamodb: off the cold start
    return SubscriptionSync(client, credits.plan_catalog(), credits.wallet(), lambda: credits.refills())


@once
def stripe_webhook():
    from chalicelib.billing.webhooks import StripeWebhook  # pynamodb: off the cold start of other routes
    return StripeWebhook(settings.stripe_webhook_secret(), credits.wallet(), credits.plan_catalog(),
                         subscription_sync(), stripe(), refunds=refund_handler, disputes=dispute_handler,
                         notify=notices.record, top_ups=auto_top_up)


@once
def charge_sources():
    """What a Stripe charge paid for (needs Stripe)."""
    from chalicelib.billing.charges import ChargeSources  # pynamodb: off the cold start
    return ChargeSources(stripe(), credits.plan_catalog(), stripe_webhook())


@once
def refund_handler():
    from chalicelib.billing.payments import TakeBacks  # pynamodb: off the cold start
    from chalicelib.billing.refunds import Refunds
    return Refunds(stripe(), charge_sources(), TakeBacks(notices.record))


@once
def dispute_handler():
    from chalicelib.billing.disputes import Disputes  # pynamodb: off the cold start
    from chalicelib.billing.payments import TakeBacks
    return Disputes(stripe(), charge_sources(), TakeBacks(notices.record))


@once
def auto_top_up():
    """Automatic top-up: the card, the settings, the charge, its outcome; None without Stripe."""
    client = stripe()
    if client is None:
        return None
    from chalicelib.billing.top_ups import TopUps  # pynamodb, stripe: off the cold start
    return TopUps(client, credits.plan_catalog(), credits.wallet(), notices.record, required_billing)


@once
def billing_history():
    """The organisation's invoices, from Stripe (needs Stripe)."""
    from chalicelib.billing.invoices import BillingHistory  # stripe: off the cold start of other routes
    return BillingHistory(stripe())


def required_billing_history():
    """billing_history(), or a 503 on a stage without Stripe."""
    required_billing()
    return billing_history()


def required_auto_top_up():
    """auto_top_up(), or a 503 on a stage without Stripe."""
    required_billing()
    return auto_top_up()


def on_ledger_stream(records):
    """The ledger table's stream records (dicts, as Lambda hands them): each
    new balance crossing records its low-balance email and starts its top-up;
    then each new outbox item is sent. A crossing that failed raises after the
    emails went, so the stream delivers the batch again (every step is
    idempotent)."""
    from chalicelib.platform.models import CROSSING_PREFIX, EMAIL_PREFIX, Crossing  # pynamodb: the stream's Lambda only

    def key_of(record):
        return (((record.get("dynamodb") or {}).get("Keys") or {}).get("key") or {}).get("S") or ""

    failure = None
    for record in records:
        if not key_of(record).startswith(CROSSING_PREFIX):
            continue
        user_id = record["dynamodb"]["Keys"]["user_id"]["S"]
        try:
            crossing = Crossing.get(user_id, key_of(record), consistent_read=True)
            credits.low_balance_alerts().on_crossing(crossing)
            if crossing.top_up is not None and auto_top_up() is not None:
                auto_top_up().on_crossing(crossing)
        except Crossing.DoesNotExist:
            continue  # expired: nothing left to do
        except Exception as error:  # noqa: BLE001 - raised below, after the emails
            failure = failure or error
    emails = [record for record in records if key_of(record).startswith(EMAIL_PREFIX)]
    if emails:
        notices.mailer().send(emails)
    if failure is not None:
        raise failure
