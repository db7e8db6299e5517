"""Keeps an account's plan in step with its Stripe subscriptions.

Webhooks arrive late, twice, or out of order, so no handler trusts the event
it was handed: each one reads the customer's subscriptions from Stripe and
writes what it saw, stamped with the time it looked. A write carrying an older
stamp than the one stored is refused, so concurrent deliveries converge on the
newest view of Stripe.
"""
import logging
import time

from pynamodb.exceptions import UpdateError

from chalicelib.platform import db, settings
from chalicelib.platform.models import Account, SubscriptionAttribute
from chalicelib.billing.stripe_objects import scheduled_change

logger = logging.getLogger("credits-saas")

# A subscription in one of these states bills the customer (or is about to).
LIVE_STATUSES = ("active", "past_due", "trialing")
CANCELLABLE_STATUSES = LIVE_STATUSES + ("unpaid", "incomplete", "paused")


def _first_price(subscription):
    items = ((subscription.get("items") or {}).get("data")) or []
    return items[0].get("price") if items else None


def current_period_end(subscription):
    """Periods are on the subscription's items (since API version 2025-03-31.basil);
    every item of ours shares one, so the first item's is the subscription's."""
    items = ((subscription.get("items") or {}).get("data")) or []
    end = items[0].get("current_period_end") if items else None
    return int(end) if end else None


def action_url(subscription):
    """The hosted page of the invoice the customer must pay or confirm (a
    renewal that failed or needs 3-D Secure), from the subscription with
    `latest_invoice` expanded; None when nothing waits for them."""
    invoice = subscription.get("latest_invoice")
    if (isinstance(invoice, dict) and invoice.get("status") == "open"
            and subscription.get("status") in ("past_due", "incomplete", "unpaid")):
        return invoice.get("hosted_invoice_url")
    return None


def newest_live(subscriptions):
    """The subscription to keep: the latest started. Stripe's `created` has
    whole seconds; two started within one second are ordered by id, so every
    delivery still picks the same one."""
    live = [s for s in subscriptions if s.get("status") in LIVE_STATUSES]
    return max(live, key=lambda s: (s.get("created") or 0, s.get("id"))) if live else None


def free_ledger_key(account):
    """The ledger key of one return to Free: the subscription being left, so
    the webhook and POST /stop-subscriptions grant the Free allowance once."""
    if account.subscription is not None:
        return "free:%s:%s" % (account.user_id, account.subscription.id)
    return "free:%s:%s:%d" % (account.user_id, account.plan, int(account.plan_period_start or 0))


class SubscriptionSync:
    def __init__(self, stripe, plans, credits, refills=lambda: None):
        self._stripe = stripe
        self._plans = plans
        self._credits = credits
        self._refills = refills

    def sync(self, account):
        """Reads the customer's subscriptions and applies them: the newest live
        one sets the plan and every other live one is cancelled; none left
        means back to Free."""
        if not account.stripe_customer_id:
            return account
        stamp = time.time_ns()
        subscriptions = self._list(account.stripe_customer_id)
        account = Account.get(account.user_id, consistent_read=True)
        current = newest_live(subscriptions)
        for other in subscriptions:
            if current is not None and other is not current and other.get("status") in LIVE_STATUSES:
                self.cancel(other["id"])
        if current is None:
            if self.return_to_free(account, stamp):
                self.restart_refill(account.user_id)
            return account
        if self._record(account, current, stamp) and account.plan == settings.FREE_PLAN:
            self._stop_refill(account.user_id)
        return account

    def _list(self, customer_id):
        listing = self._stripe.v1.subscriptions.list(
            params={"customer": customer_id, "status": "all", "limit": 100,
                    "expand": ["data.latest_invoice", "data.schedule"]})
        return [s.to_dict() if hasattr(s, "to_dict") else dict(s) for s in listing.auto_paging_iter()]

    def cancellable(self, customer_id):
        return [s for s in self._list(customer_id) if s.get("status") in CANCELLABLE_STATUSES]

    def cancel(self, subscription_id):
        import stripe  # off the cold start of the routes that read subscriptions without Stripe

        try:
            self._stripe.v1.subscriptions.cancel(
                subscription_id, options={"idempotency_key": "cancel:%s" % subscription_id})
        except stripe.InvalidRequestError:
            # Cancelled meanwhile (in the billing portal, or by a concurrent request)?
            if self._stripe.v1.subscriptions.retrieve(subscription_id).status != "canceled":
                raise

    def _plan_of(self, subscription):
        """From its price (a switch in the billing portal changes the price,
        not the metadata), else its metadata."""
        product = self._plans.for_price(_first_price(subscription))
        return product.name if product is not None else (subscription.get("metadata") or {}).get("plan")

    def _record(self, account, subscription, stamp):
        plan = self._plan_of(subscription)
        if not plan:
            logger.error("subscription %s has no known plan; ignored", subscription["id"])
            return False
        scheduled = scheduled_change(subscription, self._plans)
        record = SubscriptionAttribute(
            id=subscription["id"], plan=plan, status=subscription["status"],
            current_period_end=current_period_end(subscription),
            cancel_at_period_end=bool(subscription.get("cancel_at_period_end")),
            event_created=int(subscription.get("created") or 0),
            action_url=action_url(subscription),
            scheduled_plan=scheduled[0] if scheduled else None,
            scheduled_at=scheduled[1] if scheduled else None,
        )
        try:
            Account(account.user_id).update(
                actions=[Account.plan.set(plan), Account.subscription.set(record),
                         Account.subscription_synced_at.set(stamp)],
                condition=Account.user_id.exists() & _older_than(stamp),
            )
        except UpdateError as error:
            if db.is_condition_failure(error):
                return False
            raise
        return True

    def return_to_free(self, account, stamp):
        """One conditional transaction: plan Free, subscription record removed,
        plan credits reset to the Free allowance, ledger entry. It applies only
        while the account is as read here and holds no view of Stripe newer
        than `stamp`, so a repeat, a race or a concurrent webhook is a no-op.
        Returns True when this call moved the account to Free."""
        if account.plan == settings.FREE_PLAN and account.subscription is None:
            return False
        condition = (Account.plan == account.plan) & _older_than(stamp)
        if account.subscription is not None:
            condition = condition & (Account.subscription.id == account.subscription.id)
        else:
            condition = condition & Account.subscription.does_not_exist()
        if account.plan == settings.FREE_PLAN:
            # Free with a leftover subscription record (e.g. a first invoice
            # never paid): forget the record; the Free allowance is unchanged.
            try:
                Account(account.user_id).update(
                    actions=[Account.subscription.remove(), Account.subscription_synced_at.set(stamp)],
                    condition=condition)
            except UpdateError as error:
                if not db.is_condition_failure(error):
                    raise
            return False
        # A team organisation's Free plan has no allowance (nor a refill): free
        # credits are for people, so they cannot be farmed with many teams.
        allowance = 0 if account.is_team else self._plans.allowance(settings.FREE_PLAN)
        return self._credits.reset_plan(
            account.user_id, allowance, free_ledger_key(account),
            "free", "Back to Free from %s" % account.plan,
            reference=account.subscription.id if account.subscription is not None else None,
            condition=condition,
            actions=[Account.plan.set(settings.FREE_PLAN), Account.subscription.remove(),
                     Account.subscription_synced_at.set(stamp),
                     Account.plan_period_start.set(int(time.time()))],
        )

    def _stop_refill(self, user_id):
        refills = self._refills()
        if refills is not None:
            refills.stop(Account.get(user_id, consistent_read=True))

    def restart_refill(self, user_id):
        """The account is Free already; a refill that cannot start now is
        started by provisioning on the user's next request."""
        refills = self._refills()
        if refills is None:
            return
        try:
            refills.restart(Account.get(user_id, consistent_read=True))
        except Exception:  # noqa: BLE001 - logged; provisioning tries again
            logger.exception("Could not restart the Free refill of %s", user_id)


def _older_than(stamp):
    """The account holds no view of Stripe newer than `stamp` (ns)."""
    return Account.subscription_synced_at.does_not_exist() | (Account.subscription_synced_at < stamp)
