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
    return []


def accounts():
    def build():
        from chalicelib.accounts import Accounts
        return Accounts(plans(), provisioning_steps())
    return _once("accounts", build)


def stripe():
    """The Stripe client, or None when Stripe is not configured on this stage."""
    return None


def billing():
    """Checkout, subscriptions and the billing portal (needs Stripe)."""
    return None


def refills():
    """Free-plan refill executions, or None when no state machine is configured."""
    return None
