"""Switching a subscription to another plan: upgrades at once, downgrades at
the period's end (NOTES §11).

* An upgrade (a plan with a larger allowance) changes the subscription's
  price with `proration_behavior=always_invoice` and `billing_cycle_anchor=now`:
  Stripe charges the new plan's period less the unused time of the old one
  in one invoice, now, and a new period starts. That invoice's `invoice.paid`
  grants the new allowance through the same code as a renewal (its period is
  newer than the one granted), so a switch can never grant twice.
* A downgrade keeps the current plan and its credits until the period ends: a
  subscription schedule whose next phase, from the period's end, has the
  smaller plan's price. Undoing it releases the schedule.

Stripe is called first; the account then syncs from Stripe, so a failure
leaves it as it was (and the webhooks bring the same view anyway).
"""
from chalicelib.platform.errors import BadRequest, Conflict
from chalicelib.platform.models import Account
from chalicelib.credits.plans import price_kind, stored_prices
from chalicelib.billing.stripe_client import upstream
from chalicelib.billing.subscriptions import LIVE_STATUSES
from chalicelib.billing.stripe_objects import stripe_id


class PlanChanges:
    def __init__(self, stripe, plans, sync):
        self._stripe = stripe
        self._plans = plans
        self._sync = sync

    def change(self, account, plan_name):
        """Upgrade now or schedule a downgrade; returns the synced account."""
        subscription = self._live_subscription(account)
        if subscription["plan"] == plan_name:
            raise Conflict("You already subscribe to %s." % plan_name, code="already_subscribed")
        target = self._plans.find(plan_name)
        kind = price_kind(target.interval, True) if target is not None else None
        spec = stored_prices(target).get(kind) if target is not None else None
        if not spec or not spec.get("price_id"):
            raise BadRequest("%s has no subscription to switch to." % plan_name, code="invalid_plan")
        item = subscription["stripe"]["items"]["data"][0]
        upgrade = int(target.credits) > self._plans.allowance(subscription["plan"])
        with upstream("switch your plan"):
            if upgrade:
                self._upgrade(subscription["stripe"], item, spec["price_id"])
            else:
                self._schedule_downgrade(subscription["stripe"], item, spec["price_id"])
        return self._synced(account)

    def undo(self, account):
        """Cancels a scheduled downgrade: the subscription renews as it is."""
        subscription = self._live_subscription(account)
        schedule = subscription["stripe"].get("schedule")
        if schedule:
            with upstream("keep your plan"):
                self._stripe.v1.subscription_schedules.release(stripe_id(schedule))
        return self._synced(account)

    def _synced(self, account):
        self._sync.sync(account)
        return Account.get(account.user_id, consistent_read=True)

    def _live_subscription(self, account):
        record = account.subscription
        if record is None or record.status not in LIVE_STATUSES:
            raise Conflict("You have no subscription to change; subscribe from the pricing page.",
                           code="no_subscription")
        with upstream("read your subscription"):
            stripe_subscription = self._stripe.v1.subscriptions.retrieve(record.id).to_dict()
        return {"plan": record.plan, "stripe": stripe_subscription}

    def _upgrade(self, subscription, item, price_id):
        if subscription.get("schedule"):
            self._stripe.v1.subscription_schedules.release(stripe_id(subscription["schedule"]))
        self._stripe.v1.subscriptions.update(subscription["id"], params={
            "items": [{"id": item["id"], "price": price_id}],
            "proration_behavior": "always_invoice",
            "billing_cycle_anchor": "now",
        }, options={"idempotency_key": "upgrade:%s:%s:%s" % (subscription["id"], price_id,
                                                              item["current_period_start"])})

    def _schedule_downgrade(self, subscription, item, price_id):
        schedule = subscription.get("schedule")
        if schedule:
            schedule_id = stripe_id(schedule)
        else:
            schedule_id = self._stripe.v1.subscription_schedules.create(
                params={"from_subscription": subscription["id"]}).id
        start, end = item["current_period_start"], item["current_period_end"]
        current_price = stripe_id(item["price"])
        self._stripe.v1.subscription_schedules.update(schedule_id, params={
            "end_behavior": "release",
            "phases": [
                {"items": [{"price": current_price, "quantity": 1}], "start_date": start, "end_date": end},
                {"items": [{"price": price_id, "quantity": 1}], "start_date": end},
            ],
        })
