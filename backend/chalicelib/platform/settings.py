"""Stage settings, read from the environment that `.chalice/config.json` sets.

Read at call time (not import time) so tests and the local stack can point
the same code at different resources.
"""
import json
import os

DEFAULT_REGION = "us-east-1"
DEFAULT_FRONTEND_ORIGIN = "http://localhost:5173"
FREE_PLAN = "Free"


def env(name, default=None):
    return os.environ.get(name, default)


def region():
    return env("REGION") or env("AWS_REGION") or env("AWS_DEFAULT_REGION") or DEFAULT_REGION


def aws_endpoint_url():
    """Set only on the local stack (the moto server); None in AWS."""
    return env("AWS_ENDPOINT_URL") or None


def accounts_table():
    return env("ACCOUNTS_TABLE", "credits-saas-accounts")


def ledger_table():
    return env("LEDGER_TABLE", "credits-saas-ledger")


def products_table():
    return env("PRODUCTS_TABLE", "credits-saas-products")


def frontend_origin():
    return env("FRONTEND_ORIGIN", DEFAULT_FRONTEND_ORIGIN)


def auth_mode():
    """`local`: the app verifies ID tokens itself; otherwise API Gateway did."""
    return env("AUTH_MODE", "apigateway")


def route_costs():
    return {path: int(cost) for path, cost in json.loads(env("ROUTE_COSTS", '{"/test": 1}')).items()}


def route_cost(path):
    return route_costs()[path]


def max_api_keys():
    """How many API keys an account may hold at once."""
    return int(env("MAX_API_KEYS", "10"))


def free_refill_period_seconds():
    return int(env("FREE_REFILL_PERIOD_SECONDS", "604800"))


def free_plan_credits():
    """The Free allowance; products.json is the source, this is the fallback."""
    return int(env("FREE_PLAN_CREDITS", "50"))


def user_pool_id():
    return env("USER_POOL_ID")


def user_pool_client_id():
    return env("USER_POOL_CLIENT_ID")


def token_issuer():
    return env("COGNITO_ISSUER") or "https://cognito-idp.%s.amazonaws.com/%s" % (region(), user_pool_id())


def jwks_url():
    """Cognito's JWKS; on the local stack the emulator serves it under the pool id."""
    if env("COGNITO_JWKS_URL"):
        return env("COGNITO_JWKS_URL")
    base = aws_endpoint_url() or "https://cognito-idp.%s.amazonaws.com" % region()
    return "%s/%s/.well-known/jwks.json" % (base.rstrip("/"), user_pool_id())


def _secret(variable, parameter_variable):
    """A secret from the environment (local stack, tests), else from the SSM
    parameter the stage names (deployed stages); None when neither is set."""
    if env(variable):
        return env(variable)
    if env(parameter_variable):
        from chalicelib.platform import secrets  # Powertools and boto3: deployed stages only
        return secrets.parameter(env(parameter_variable))
    return None


def stripe_secret_key():
    """Unset: Stripe is not configured on this stage (billing routes answer 503)."""
    return _secret("STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY_PARAMETER")


def stripe_api_base():
    """Unset: the real Stripe API; the local stack points it at the Stripe sandbox."""
    return env("STRIPE_API_BASE") or None


def stripe_timeout_seconds():
    return float(env("STRIPE_TIMEOUT_SECONDS", "10"))


def stripe_max_network_retries():
    return int(env("STRIPE_MAX_NETWORK_RETRIES", "2"))


def checkout_success_url():
    return env("CHECKOUT_SUCCESS_URL") or (
        frontend_origin().rstrip("/") + "/checkout/success?session_id={CHECKOUT_SESSION_ID}")


def checkout_cancel_url():
    return env("CHECKOUT_CANCEL_URL") or frontend_origin().rstrip("/") + "/checkout/cancel"


def billing_portal_return_url():
    return env("BILLING_PORTAL_RETURN_URL") or frontend_origin().rstrip("/") + "/account"


def stripe_webhook_secret():
    """The `whsec_…` secret Stripe (or the local sandbox) signs webhooks with."""
    return _secret("STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET_PARAMETER")


def refill_state_machine_arn():
    """The Free-plan refill state machine; None where refills are not set up."""
    return env("REFILL_STATE_MACHINE_ARN") or None


# Email (chalicelib.notices) ------------------------------------------------------

def product_name():
    """The name customers know the product by: in every email's subject and footer."""
    return env("PRODUCT_NAME", "Credits")


def email_sender():
    """The From of every email: an address (optionally with a display name)
    on the stage's SES identity (infra/data.yaml `EmailIdentity`)."""
    return env("EMAIL_SENDER", "Credits <no-reply@credits.localhost>")


def account_url():
    """The customer's account page (the frontend), linked from emails."""
    return frontend_origin().rstrip("/") + "/account"


def notification_settings_url():
    """Where a customer turns optional emails off: the `List-Unsubscribe`
    target and the footer's link."""
    return account_url() + "#notifications"


def ledger_stream_arn():
    """The ledger table's DynamoDB stream, which carries outbox items to the
    email sender (the deploy records it from the data stack). Unset (the local
    stack, `chalice package` of a stage never deployed): an ARN of the same
    shape naming the table, which the local stack's poller reads the table
    name from."""
    return env("LEDGER_STREAM_ARN") or "arn:aws:dynamodb:%s:000000000000:table/%s/stream/local" % (
        region(), ledger_table())
