"""What account creation sets up besides the account item: a Stripe customer
and the Free refill execution. Each step is idempotent: provisioning may run
many times (Cognito retries its trigger; the first request repeats it)."""
import logging

from chalicelib.platform import settings
from chalicelib.platform.errors import UpstreamError

LOG = logging.getLogger("credits-saas")


class ProvisioningStep:
    """A follow-up of account creation (Stripe customer, refill execution).
    Both methods must be idempotent: provisioning may run many times."""

    def needed(self, account):
        raise NotImplementedError

    def run(self, account):
        raise NotImplementedError


class StripeCustomerStep(ProvisioningStep):
    """Provisioning: every account gets a Stripe customer. When Stripe cannot
    be reached the account is still created; the next authenticated request
    (or the first checkout) tries again."""

    def __init__(self, billing):
        self._billing = billing  # called on first use: Stripe is imported only when needed

    def needed(self, account):
        return account is not None and not account.stripe_customer_id

    def run(self, account):
        try:
            self._billing().customer_id(account, max_network_retries=0)
        except UpstreamError as error:
            LOG.warning("Stripe customer for %s not created yet: %s", account.user_id, error.message)


class StartRefill(ProvisioningStep):
    """Provisioning: a Free account without a refill execution gets one."""

    def __init__(self, refills):
        self._refills = refills

    def needed(self, account):
        return account.plan == settings.FREE_PLAN and not account.refill_execution

    def run(self, account):
        """A refill that cannot start now (throttled, open-execution quota)
        must not fail the sign-up or the request: the account stays without
        an execution, so the next authenticated request tries again."""
        try:
            self._refills.start(account, replace=False)
        except Exception:  # noqa: BLE001 - logged; retried on the next request
            LOG.exception("Could not start the Free refill of %s", account.user_id)

