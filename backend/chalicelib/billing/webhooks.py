"""Stripe webhook: verify the signature on the raw body, then dispatch on the
event type through a small table of handlers.

Every effect is idempotent by its own key (`checkout:<session>`,
`invoice:<invoice>`, `free:<user>:<subscription>`), and subscription state is
read from Stripe rather than taken from the event, so duplicates, retries and
reordering all converge on the same account.
"""
import json
import logging
import time

import stripe
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DoesNotExist, PynamoDBException

from chalicelib.platform import logs, metrics
from chalicelib.platform.errors import ApiError, BadRequest, TransientError
from chalicelib.billing.payments import PaymentBusy
from chalicelib.billing.top_ups import EmailNotRecorded
from chalicelib.platform.models import Account
from chalicelib.billing.stripe_objects import (
    MalformedEvent, first_line, invoice_metadata, invoice_subscription, money, stripe_id)

logger = logging.getLogger("credits-saas")

# A subscription in one of these states waits for its customer to pay.
UNPAID_STATUSES = ("past_due", "unpaid", "incomplete")

HANDLED_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "checkout.session.async_payment_failed",
    "charge.refunded",
    "refund.created",
    "refund.updated",
    "refund.failed",
    "charge.refund.updated",
    "charge.dispute.created",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
    "charge.dispute.closed",
    "subscription_schedule.created",
    "subscription_schedule.updated",
    "subscription_schedule.released",
    "subscription_schedule.canceled",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
)


def verify(raw_body, signature, secret):
    """The event as a plain dict, or a 400 for a bad, missing or stale signature."""
    if not secret:
        raise TransientError("The webhook signing secret is not configured.", code="webhook_not_configured")
    if not signature:
        raise BadRequest("The Stripe-Signature header is missing.", code="missing_signature")
    try:
        stripe.WebhookSignature.verify_header(raw_body, signature, secret,
                                              tolerance=stripe.Webhook.DEFAULT_TOLERANCE)
    except stripe.SignatureVerificationError:
        raise BadRequest("The Stripe signature does not match or is too old.", code="invalid_signature")
    except ValueError:
        raise BadRequest("The webhook payload is not valid UTF-8.", code="invalid_payload")
    try:
        event = json.loads(raw_body)
        event["data"]["object"]
        event["type"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise BadRequest("The webhook payload is not a Stripe event.", code="invalid_payload")
    return event


class StripeWebhook:
    def __init__(self, secret, credits, plans, sync, stripe, refunds=lambda: None, disputes=lambda: None,
                 notify=None, top_ups=lambda: None):
        self._secret = secret
        self._top_ups = top_ups  # built on first use: chalicelib.billing.top_ups.TopUps
        self._notify = notify  # chalicelib.notices.record: emails the customer about an unpaid renewal
        self._refunds = refunds  # built on first use: chalicelib.billing.refunds.Refunds
        self._disputes = disputes
        self._credits = credits
        self._plans = plans
        self._sync = sync
        self._stripe = stripe
        self._handlers = {
            "checkout.session.completed": self.checkout_completed,
            # Delayed payment methods: the session completes unpaid, then this.
            "checkout.session.async_payment_succeeded": self.checkout_completed,
            "customer.subscription.created": self.subscription_changed,
            "customer.subscription.updated": self.subscription_changed,
            "customer.subscription.deleted": self.subscription_changed,
            "invoice.paid": self.invoice_paid,
            "invoice.payment_failed": lambda invoice: self.invoice_payment_failed(invoice, "renewal_failed"),
            # A renewal that needs the customer (3-D Secure): the sync records the invoice's page.
            "invoice.payment_action_required":
                lambda invoice: self.invoice_payment_failed(invoice, "renewal_action_required"),
            "checkout.session.async_payment_failed": self.checkout_payment_failed,
            # Money after the sale: each reads the charge's refunds or the dispute from Stripe.
            "charge.refunded": lambda charge: self._refunds().reconcile(charge["id"]),
            "refund.created": self.refund_changed,
            "refund.updated": self.refund_changed,
            "refund.failed": self.refund_changed,
            "charge.refund.updated": self.refund_changed,  # the older name of refund.updated
            "charge.dispute.created": self.dispute_changed,
            "charge.dispute.funds_withdrawn": self.dispute_changed,
            "charge.dispute.funds_reinstated": self.dispute_changed,
            "charge.dispute.closed": self.dispute_changed,
            # A downgrade scheduled, changed or undone: the account shows it.
            "subscription_schedule.created": self.subscription_changed,
            "subscription_schedule.updated": self.subscription_changed,
            "subscription_schedule.released": self.subscription_changed,
            "subscription_schedule.canceled": self.subscription_changed,
            # Automatic top-up: the grant, or what the customer's bank said later.
            "payment_intent.succeeded": self.payment_intent_succeeded,
            "payment_intent.payment_failed": self.payment_intent_failed,
        }

    def handle(self, raw_body, signature):
        """Verify and apply one delivery; counted in `WebhookEvents` by type
        and outcome (applied, ignored, rejected, failed), and every answer but
        a 2xx in `WebhookFailures` (Stripe retries those, then gives up)."""
        event_type, outcome = "unverified", "failed"
        try:
            event = verify(raw_body, signature, self._secret)
            event_type = event["type"]
            logs.note(stripe_event_id=event.get("id"), stripe_event_type=event_type)
            result = self._apply(event)
            outcome = "ignored" if "ignored" in result else "applied"
            return result
        except ApiError as error:
            outcome = "rejected" if error.status < 500 else "failed"
            raise
        finally:
            logs.note(webhook_outcome=outcome)
            metrics.count("WebhookEvents", type=event_type, outcome=outcome)
            if outcome in ("rejected", "failed"):
                metrics.count("WebhookFailures")

    def _apply(self, event):
        handler = self._handlers.get(event["type"])
        if handler is None:
            return {"received": True, "ignored": event["type"]}
        try:
            handler(event["data"]["object"])
        except ApiError:
            raise
        except (MalformedEvent, KeyError, TypeError, ValueError) as error:
            logger.warning("malformed %s event %s: %r", event["type"], event.get("id"), error)
            raise BadRequest("The %s event is missing data." % event["type"], code="invalid_payload")
        except Exception as error:
            if _is_transient(error):
                logger.warning("transient failure on %s %s: %r", event["type"], event.get("id"), error)
                raise TransientError("Could not apply the event yet; Stripe will retry.")
            raise
        return {"received": True}

    # Handlers ------------------------------------------------------------------

    def checkout_completed(self, session):
        account = self._account_for(session, session.get("client_reference_id"))
        if account is None:
            return
        if session["mode"] == "payment":
            self._grant_pack(account, session)
            if session.get("payment_status") == "paid" and self._top_ups() is not None:
                self._top_ups().save_card_of_payment(account, session)
        elif session["mode"] == "subscription":
            self._sync.sync(account)
        elif session["mode"] == "setup" and self._top_ups() is not None:
            self._top_ups().save_card(account, session)

    def payment_intent_succeeded(self, intent):
        account = self._top_up_account(intent)
        if account is not None:
            self._top_ups().succeeded(account, intent)

    def payment_intent_failed(self, intent):
        account = self._top_up_account(intent)
        if account is not None:
            self._top_ups().payment_failed(account, intent)

    def grant_top_up(self, account, intent):
        """A top-up's credits (also for refunds and disputes, chalicelib.billing.charges)."""
        if intent.get("status") == "succeeded" and self._top_ups() is not None:
            self._top_ups().grant(account.user_id, intent)

    def _top_up_account(self, intent):
        """The account of a top-up's PaymentIntent; None for any other intent
        (a Checkout's or an invoice's: their own events handle them)."""
        metadata = intent.get("metadata") or {}
        if not metadata.get("top_up") or self._top_ups() is None:
            return None
        return self._account_for(intent, metadata.get("user_id"))

    def checkout_payment_failed(self, session):
        """A delayed payment method failed: nothing is granted; the ledger says so."""
        account = self._account_for(session, session.get("client_reference_id"))
        if account is None or session.get("mode") != "payment":
            return
        plan = (session.get("metadata") or {}).get("plan") or "Pack"
        self._credits.record(account.user_id, "checkout_failed:%s" % session["id"], "payment_failed", 0,
                             "%s pack: the payment failed, nothing was added" % plan, reference=session["id"])

    def refund_changed(self, refund):
        charge = refund.get("charge")
        if charge:
            self._refunds().reconcile(stripe_id(charge))

    def dispute_changed(self, dispute):
        self._disputes().reconcile(dispute["id"])

    # Grants, also used by refunds and disputes (chalicelib.billing.charges) ----------

    def account_for(self, obj, user_id=None, metadata=None):
        return self._account_for(obj, user_id, metadata)

    def grant_pack(self, account, session):
        self._grant_pack(account, session)

    def grant_invoice(self, invoice):
        if invoice.get("status") == "paid":
            self.invoice_paid(invoice)

    def _grant_pack(self, account, session):
        if session.get("payment_status") != "paid":
            return
        plan = (session.get("metadata") or {}).get("plan")
        product = self._plans.find(plan)
        if product is None:
            raise MalformedEvent("checkout session %s names no known plan" % session["id"])
        if self._credits.add_purchased(account.user_id, int(product.credits), "checkout:%s" % session["id"],
                                       "purchase", "%s pack" % product.name, reference=session["id"]):
            metrics.count("CreditsGranted", int(product.credits), kind="pack")
            metrics.count("Purchases", kind="pack")

    def subscription_changed(self, subscription):
        account = self._account_for(subscription)
        if account is not None:
            self._sync.sync(account)

    def invoice_paid(self, invoice):
        subscription_id = invoice_subscription(invoice)
        if not subscription_id:
            return
        account = self._account_for(invoice, metadata=invoice_metadata(invoice))
        if account is None:
            return
        self._sync.sync(account)
        self._grant_period(account.user_id, invoice, subscription_id)

    def _grant_period(self, user_id, invoice, subscription_id):
        """Plan credits reset to the allowance of the period this invoice paid
        for, unless a newer period was granted already: then it is only
        recorded, so the ledger is the same whatever the delivery order."""
        line = first_line(invoice)
        product = (self._plans.for_price(line.get("price"))
                   or self._plans.find(invoice_metadata(invoice).get("plan")))
        if product is None:
            raise MalformedEvent("invoice %s pays for no known plan" % invoice["id"])
        # The line's period is the one billed; the invoice's own is the one just ended.
        period_start = int(line["period"]["start"])
        key = "invoice:%s" % invoice["id"]
        description = "%s, period from %s" % (product.name, time.strftime("%Y-%m-%d", time.gmtime(period_start)))
        newer = Account.plan_period_start < period_start
        if invoice.get("billing_reason") == "subscription_update":
            # A switch starts its period now: in the very second the period it
            # replaces began, it still comes after it (an older invoice does not).
            newer = Account.plan_period_start <= period_start
        condition = (Account.subscription.id == subscription_id) & newer
        granted = self._credits.reset_plan(
            user_id, int(product.credits), key, "plan", description, reference=invoice["id"], condition=condition,
            actions=[Account.plan_period_start.set(period_start)])
        if granted:
            metrics.count("CreditsGranted", int(product.credits), kind="plan")
            metrics.count("Purchases", kind="plan")
        elif self._credits.record(user_id, key, "plan", int(product.credits), description + " (superseded)",
                                  reference=invoice["id"]):
            metrics.count("Purchases", kind="plan")

    def invoice_payment_failed(self, invoice, kind="renewal_failed"):
        account = self._account_for(invoice, metadata=invoice_metadata(invoice))
        if account is None:
            return
        self._sync.sync(account)
        subscription_id = invoice_subscription(invoice)
        if self._notify is None or not subscription_id or invoice.get("status") != "open":
            return
        try:
            self._tell_renewal_unpaid(account.user_id, invoice, subscription_id, kind)
        except Exception as error:  # noqa: BLE001 - the email never fails the event: its sync is done
            logger.warning("could not record the %s email of account %s (invoice %s): %s",
                           kind, account.user_id, invoice.get("id"), type(error).__name__)
            metrics.count("EmailRecordFailures")

    def _tell_renewal_unpaid(self, user_id, invoice, subscription_id, kind):
        """One email per invoice (`email:renewal:<invoice>`), after the sync
        wrote the account's view of Stripe, and only while that view says the
        subscription still waits for the customer: a late delivery after the
        invoice was paid sends nothing."""
        account = _account(user_id)
        subscription = account.subscription if account is not None else None
        if subscription is None or subscription.id != subscription_id or subscription.status not in UNPAID_STATUSES:
            return
        line = first_line(invoice)
        product = self._plans.for_price(line.get("price")) or self._plans.find(invoice_metadata(invoice).get("plan"))
        self._notify(user_id, kind, invoice["id"], plan=product.name if product is not None else subscription.plan,
                     amount=money(invoice.get("amount_due") or 0, invoice.get("currency")),
                     action_url=invoice.get("hosted_invoice_url") or subscription.action_url or "")

    # Accounts ------------------------------------------------------------------

    def _account_for(self, obj, user_id=None, metadata=None):
        """The account an object belongs to: our user id travels in metadata
        (set at checkout), else on the Stripe customer. The customer must be
        the account's own, so an event can never touch another account."""
        metadata = metadata if metadata is not None else (obj.get("metadata") or {})
        customer_id = stripe_id(obj.get("customer"))
        user_id = user_id or metadata.get("user_id") or self._customer_user(customer_id)
        account = _account(user_id) if user_id else None
        if account is None:
            logger.warning("no account for Stripe object %s", obj.get("id"))
            return None
        if customer_id and account.stripe_customer_id != customer_id:
            logger.warning("Stripe object %s belongs to customer %s, not account %s's",
                           obj.get("id"), customer_id, user_id)
            return None
        return account

    def _customer_user(self, customer_id):
        if not customer_id:
            return None
        customer = self._stripe.v1.customers.retrieve(customer_id).to_dict()
        return (customer.get("metadata") or {}).get("user_id")


def _is_transient(error):
    """Failures worth a Stripe retry: our database or Stripe being unavailable."""
    return isinstance(error, (BotoCoreError, ClientError, PynamoDBException, PaymentBusy, EmailNotRecorded,
                              stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError))


def _account(user_id):
    try:
        return Account.get(user_id, consistent_read=True)
    except DoesNotExist:
        return None
