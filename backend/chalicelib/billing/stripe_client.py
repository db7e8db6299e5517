"""The one place the Stripe SDK is configured.

`stripe` is imported inside the functions: most handlers never talk to Stripe
and a cold start should not pay for importing it.
"""
import contextlib
import logging

from chalicelib.platform import settings
from chalicelib.platform.errors import UpstreamError

logger = logging.getLogger("credits-saas")

BASE_ADDRESS_NAMES = ("api", "connect", "files", "meter_events")


def build(api_key=None, api_base=None, timeout=None, max_network_retries=None, http_client=None):
    """A `stripe.StripeClient`, or None when no secret key is configured.

    `api_base` (env STRIPE_API_BASE) points every Stripe address at another
    server, e.g. the local Stripe sandbox; unset means the real Stripe API.
    `http_client` replaces the SDK's HTTP transport (tests)."""
    api_key = api_key or settings.stripe_secret_key()
    if not api_key:
        return None
    import stripe  # the SDK is heavy: imported by the routes that talk to Stripe only

    api_base = api_base or settings.stripe_api_base()
    base_addresses = None
    if api_base:
        base_addresses = {name: api_base.rstrip("/") for name in BASE_ADDRESS_NAMES}
    if timeout is None:
        timeout = settings.stripe_timeout_seconds()
    if max_network_retries is None:
        max_network_retries = settings.stripe_max_network_retries()
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        max_network_retries=max_network_retries,
        http_client=http_client or stripe.RequestsClient(timeout=timeout),
    )


@contextlib.contextmanager
def upstream(action):
    """Turns any Stripe failure inside the block into a 502 `UpstreamError`.

    `action` completes the sentence "Could not ... ", e.g. "create the checkout
    session". Callers make their Stripe calls before any local write, so the
    message can promise that nothing was changed."""
    import stripe  # the SDK is heavy: imported by the routes that talk to Stripe only

    try:
        yield
    except stripe.APIConnectionError as error:
        logger.warning("Stripe unreachable while trying to %s: %s", action, error)
        raise UpstreamError(
            "Could not reach Stripe to %s; nothing was changed. Please try again." % action,
            code="stripe_unavailable")
    except stripe.StripeError as error:
        logger.warning("Stripe error while trying to %s: %s (status %s, code %s)",
                       action, error.user_message or error, error.http_status, error.code)
        raise UpstreamError(
            "Stripe could not %s; nothing was changed. Please try again later." % action,
            code="stripe_error")
