"""The offline Stripe sandbox, one module per concern.

``sandbox`` (the ``StripeSandbox`` object) starts ``server`` (HTTP, auth,
idempotency), which routes ``/v1/`` calls (``routes``, ``params``) to the
state (``state``: ``store`` plus one module per resource) and every other URL
to ``controls`` and ``pages``; ``webhooks`` signs and delivers events.
Standard library only. docs/stripe-sandbox.md has the map.
"""

from .sandbox import API_VERSION, DEFAULT_PORT, DEFAULT_RETRY_DELAYS, StripeSandbox

__all__ = ["API_VERSION", "DEFAULT_PORT", "DEFAULT_RETRY_DELAYS", "StripeSandbox"]
