"""Accounts: one per confirmed Cognito user, created by whichever comes first
of the post-confirmation trigger and the user's first authenticated request
(`lifecycle`), with what creation sets up besides the item — a Stripe
customer and the Free refill (`provisioning`); and what the customer's page
shows of the account: when plan credits next reset (`resets`) and a
suspension (`suspension`)."""
from chalicelib import billing, credits
from chalicelib.platform import settings
from chalicelib.platform import once


@once
def registry():
    """Accounts: get, ensure (create if missing), provision, view."""
    from chalicelib.accounts.lifecycle import Accounts  # pynamodb: off the cold start of other routes
    from chalicelib.accounts.provisioning import StartRefill, StripeCustomerStep
    from chalicelib.accounts.resets import ResetSchedule
    steps = []
    if settings.stripe_secret_key():
        steps.append(StripeCustomerStep(billing.customer_billing))
    if credits.refills() is not None:
        steps.append(StartRefill(credits.refills()))
    return Accounts(credits.plan_catalog(), steps, ResetSchedule(credits.refills))
