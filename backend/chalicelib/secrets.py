"""Secrets of a deployed stage, read from SSM Parameter Store (SecureString).

The deploy writes them and names them in the stage's environment
(`STRIPE_SECRET_KEY_PARAMETER`, `STRIPE_WEBHOOK_SECRET_PARAMETER`); the value
itself is never in config.json or the function's environment. A value is
fetched once per process (a Lambda cold start) and kept; a missing or
unreadable parameter is logged by name, not cached, and tried again on the
next call. Powertools (and boto3) are imported only when a parameter is read.
"""
import logging

logger = logging.getLogger("credits-saas")

# Powertools' cache lifetime; the process keeps values in `_values` anyway.
MAX_AGE_SECONDS = 24 * 3600

_values = {}


def parameter(name):
    """The decrypted value of SSM parameter `name`, or None."""
    if name in _values:
        return _values[name]
    value = _fetch(name)
    if value is not None:
        _values[name] = value
    return value


def forget():
    """Drop cached values (tests, or a rotated secret in a long-lived process)."""
    _values.clear()


def _fetch(name):
    from aws_lambda_powertools.utilities import parameters

    try:
        return parameters.get_parameter(name, decrypt=True, max_age=MAX_AGE_SECONDS)
    except parameters.exceptions.GetParameterError as error:
        logger.warning("SSM parameter %s could not be read: %s", name, type(error.__cause__ or error).__name__)
        return None
