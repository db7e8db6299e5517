"""The app's collaborators, built on first use so that a cold start imports
only what the invoked handler needs (pynamodb, stripe and jwt are heavy)."""
_instances = {}


def _once(name, factory):
    if name not in _instances:
        _instances[name] = factory()
    return _instances[name]


def reset():
    """Forget built services (tests change settings between stacks)."""
    _instances.clear()


def provide(name, instance):
    """Use `instance` as the named service until the next reset (tests)."""
    _instances[name] = instance


def plans():
    def build():
        from chalicelib.plans import Plans
        return Plans()
    return _once("plans", build)


def credits():
    def build():
        from chalicelib.credits import Credits
        return Credits()
    return _once("credits", build)


def ledger():
    def build():
        from chalicelib.ledger import Ledger
        return Ledger()
    return _once("ledger", build)


def api_keys():
    def build():
        from chalicelib.api_keys import ApiKeys
        return ApiKeys()
    return _once("api_keys", build)


def provisioning_steps():
    """Follow-ups of account creation that are configured on this stage."""
    from chalicelib import settings
    steps = []
    if settings.stripe_secret_key():
        from chalicelib.billing import StripeCustomerStep
        steps.append(StripeCustomerStep(billing))
    if refills() is not None:
        from chalicelib.refill import StartRefill
        steps.append(StartRefill(refills()))
    return steps


def accounts():
    def build():
        from chalicelib.accounts import Accounts
        from chalicelib.resets import ResetSchedule
        return Accounts(plans(), provisioning_steps(), ResetSchedule(refills))
    return _once("accounts", build)


def stripe():
    """The Stripe client, or None when Stripe is not configured on this stage."""
    def build():
        from chalicelib import stripe_client
        return stripe_client.build()
    return _once("stripe", build)


def billing():
    """Checkout, subscriptions and the billing portal (needs Stripe)."""
    def build():
        client = stripe()
        if client is None:
            return None
        from chalicelib.billing import Billing
        return Billing(client, plans(), subscription_sync())
    return _once("billing", build)


def plan_changes():
    """Upgrades now, downgrades at the period's end (needs Stripe)."""
    def build():
        from chalicelib.plan_changes import PlanChanges
        return PlanChanges(stripe(), plans(), subscription_sync())
    return _once("plan_changes", build)


def refills():
    """Free-plan refill executions, or None when no state machine is configured."""
    from chalicelib import settings
    state_machine_arn = settings.refill_state_machine_arn()
    if not state_machine_arn:
        return None

    def build():
        from chalicelib.refill import Refills, default_client
        return Refills(default_client, state_machine_arn, settings.free_refill_period_seconds(),
                       lambda: plans().allowance(settings.FREE_PLAN))
    return _once("refills", build)


def subscription_sync():
    """Keeps accounts' plans in step with Stripe subscriptions (needs Stripe)."""
    def build():
        client = stripe()
        if client is None:
            return None
        from chalicelib.subscriptions import SubscriptionSync
        return SubscriptionSync(client, plans(), credits(), lambda: refills())
    return _once("subscription_sync", build)


def stripe_webhook():
    def build():
        from chalicelib import settings
        from chalicelib.webhooks import StripeWebhook
        return StripeWebhook(settings.stripe_webhook_secret(), accounts(), credits(), plans(),
                             subscription_sync(), stripe(), refunds=refunds, disputes=disputes)
    return _once("stripe_webhook", build)


def charge_sources():
    """What a Stripe charge paid for (needs Stripe)."""
    def build():
        from chalicelib.charges import ChargeSources
        return ChargeSources(stripe(), plans(), stripe_webhook())
    return _once("charge_sources", build)


def refunds():
    def build():
        from chalicelib.payments import TakeBacks
        from chalicelib.refunds import Refunds
        return Refunds(stripe(), charge_sources(), TakeBacks())
    return _once("refunds", build)


def disputes():
    def build():
        from chalicelib.disputes import Disputes
        from chalicelib.payments import TakeBacks
        return Disputes(stripe(), charge_sources(), TakeBacks())
    return _once("disputes", build)


def console():
    """The operators' console (chalicelib.console), for /admin routes and scripts/admin.py."""
    def build():
        from chalicelib.console import Console
        from chalicelib.summary import Summary
        return Console(accounts(), credits(), ledger(), Summary(plans()))
    return _once("console", build)
