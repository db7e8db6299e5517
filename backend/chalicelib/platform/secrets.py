"""Secrets of a deployed stage, read from SSM Parameter Store (SecureString).

The deploy writes them and names them in the stage's environment
(`STRIPE_SECRET_KEY_PARAMETER`, `STRIPE_WEBHOOK_SECRET_PARAMETER`); the value
itself is never in config.json or the function's environment. A value is
read once per process (a Lambda cold start) and kept; a missing or
unreadable parameter is logged by name, not cached, and tried again on the
next call. Powertools (and boto3) are imported only when a parameter is read.
"""
import logging

logger = logging.getLogger("credits-saas")

# How long Powertools keeps a value: at most one SSM read per parameter per
# cold start (a Lambda environment rarely lives longer).
MAX_AGE_SECONDS = 24 * 3600


def parameter(name):
    """The decrypted value of SSM parameter `name`, or None. Powertools keeps
    a value it read; a failure is not kept, so the next call tries again."""
    from aws_lambda_powertools.utilities import parameters  # with boto3: only stages that keep secrets in SSM

    try:
        return parameters.get_parameter(name, decrypt=True, max_age=MAX_AGE_SECONDS)
    except parameters.exceptions.GetParameterError as error:
        logger.warning("SSM parameter %s could not be read: %s", name, type(error.__cause__ or error).__name__)
        return None


def forget():
    """Drop kept values (tests, or a rotated secret in a long-lived process)."""
    from aws_lambda_powertools.utilities import parameters  # with boto3: only stages that keep secrets in SSM

    parameters.clear_caches()
