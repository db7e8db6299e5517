"""When an account's plan credits are next reset: a subscription's current
period end, or a Free account's next refill (its Step Functions execution,
or, while that is still starting, one period after the start the account
recorded; see Refills.next_grant_at)."""
import logging

from chalicelib.platform import clock, settings

LOG = logging.getLogger("credits-saas")


class ResetSchedule:
    """`refills_fn()` gives the Free refills (chalicelib.credits.refill.Refills) or
    None where no state machine is configured; called on first use only."""

    def __init__(self, refills_fn):
        self._refills_fn = refills_fn

    def next_reset_at(self, account):
        """An ISO-8601 UTC string, or None when unknown."""
        if account.plan == settings.FREE_PLAN:
            return self._next_refill(account)
        subscription = account.subscription
        if subscription is not None and subscription.current_period_end:
            return clock.iso_seconds(clock.from_epoch(int(subscription.current_period_end)))
        return None

    def _next_refill(self, account):
        refills = self._refills_fn()
        if refills is None:
            return None
        try:
            moment = refills.next_grant_at(account)
        except Exception:  # noqa: BLE001 - an unknown time must not fail the account page
            LOG.warning("Could not read the refill execution of %s", account.user_id, exc_info=True)
            return None
        return clock.iso_seconds(moment) if moment else None
