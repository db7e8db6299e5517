"""The stack's settings: constants, what backend/.chalice/config.json gives
the local stage, and what the environment asks for (refill period, Stripe)."""
import json
import os
import secrets

from scripts import BACKEND, ROOT
from scripts.devstack.errors import Failure

STAGE = "local"
REGION = "us-east-1"
DEFAULT_STATE_DIR = os.path.join(ROOT, ".local")
DEFAULT_FRONTEND_ORIGIN = "http://localhost:5173"
DEFAULT_REFILL_PERIOD_SECONDS = 604800
SANDBOX_SECRET_KEY = "sk_test_local_sandbox"
REAL_STRIPE_API = "https://api.stripe.com"
STARTUP_TIMEOUT_SECONDS = 60

# Settings of the app that a stale shell (or a test run) may hold; the API
# process gets exactly the values of this stack.
APP_VARIABLES = (
    "AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "USER_POOL_ID", "USER_POOL_CLIENT_ID",
    "USER_POOL_ARN", "COGNITO_ISSUER", "COGNITO_JWKS_URL", "REFILL_STATE_MACHINE_ARN",
    "REFILL_ALERT_TOPIC_ARN", "STRIPE_API_BASE", "AUTH_MODE",
)


def chalice_stage_variables(stage=STAGE):
    """The environment variables backend/.chalice/config.json gives `stage`."""
    with open(os.path.join(BACKEND, ".chalice", "config.json")) as handle:
        config = json.load(handle)
    variables = dict(config.get("environment_variables", {}))
    variables.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    return variables


def refill_period(environ):
    raw = environ.get("FREE_REFILL_PERIOD_SECONDS", "").strip()
    if not raw:
        return DEFAULT_REFILL_PERIOD_SECONDS
    try:
        value = int(raw)
        if value <= 0:
            raise ValueError
    except ValueError:
        raise Failure("FREE_REFILL_PERIOD_SECONDS=%r must be a positive number of seconds." % raw)
    return value


def stripe_settings(environ):
    """How this run talks to Stripe: the offline sandbox, or real test mode
    when STRIPE_SECRET_KEY is set."""
    key = environ.get("STRIPE_SECRET_KEY", "").strip()
    if not key:
        return {"mode": "sandbox", "secret_key": SANDBOX_SECRET_KEY,
                "webhook_secret": "whsec_" + secrets.token_hex(24)}
    if not key.startswith(("sk_test_", "rk_test_")):
        raise Failure("STRIPE_SECRET_KEY is not a test-mode key (sk_test_... or rk_test_...); "
                      "the local stack never uses live keys.")
    return {"mode": "stripe", "secret_key": key,
            "api_base": environ.get("STRIPE_API_BASE", "").strip() or None,
            "webhook_secret": environ.get("STRIPE_WEBHOOK_SECRET", "").strip() or None}
