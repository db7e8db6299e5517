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


def provisioning_steps():
    """Follow-ups of account creation that are configured on this stage."""
    from chalicelib import settings
    steps = []
    if settings.stripe_secret_key():
        from chalicelib.billing import StripeCustomerStep
        steps.append(StripeCustomerStep(billing))
    return steps


def accounts():
    def build():
        from chalicelib.accounts import Accounts
        return Accounts(plans(), provisioning_steps())
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
        return Billing(client, plans(), credits(), refills)
    return _once("billing", build)


def refills():
    """Free-plan refill executions, or None when no state machine is configured."""
    return None
