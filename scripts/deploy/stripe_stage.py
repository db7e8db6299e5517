"""The stage's Stripe side: its secrets in SSM Parameter Store (SecureString,
the account's aws/ssm key), its webhook endpoint, its products."""
import os
import subprocess
import sys

from scripts.deploy import ROOT, DeployError


def stored(ssm, name):
    """The parameter's value, or None when it does not exist."""
    try:
        return ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None


def store(ssm, name, value, description):
    """Write a SecureString unless it already holds `value`. Never prints it."""
    if stored(ssm, name) == value:
        return False
    ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True,
                      Description=description, Tier="Standard")
    return True


def store_stripe_key(ssm, stage, key, out):
    changed = store(ssm, stage.stripe_key_parameter, key, "Stripe secret key of credits-saas %s" % stage.name)
    out("  Stripe secret key %s SSM SecureString %s" % ("written to" if changed else "unchanged in",
                                                       stage.stripe_key_parameter))


def register_webhook(ssm, stage, webhook_url, out):
    """One endpoint for the URL; its signing secret in SSM."""
    from chalicelib.billing import stripe_client
    from scripts.deploy import webhook_endpoints

    stripe = stripe_client.build(api_key=os.environ["STRIPE_SECRET_KEY"])
    webhook_endpoints.ensure_webhook(
        stripe, webhook_url, secret_stored=stored(ssm, stage.webhook_secret_parameter) is not None,
        store_secret=lambda secret: store(ssm, stage.webhook_secret_parameter, secret,
                                          "Stripe webhook signing secret of credits-saas %s" % stage.name),
        out=lambda line: out("  " + line))


def sync_products(stage, out):
    """scripts/sync_products.py --stage: Stripe and the stage's product table."""
    out("  syncing products.json to Stripe and the %s product table" % stage.name)
    env = dict(os.environ)
    env.update({"CHALICE_PROJECT_DIR": stage.backend_dir, "REGION": stage.region,
                "PRODUCTS_TABLE": stage.environment["PRODUCTS_TABLE"]})
    result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "sync_products.py"),
                             "--stage", stage.name], env=env, capture_output=True, text=True)
    for line in result.stdout.splitlines():
        out("    " + line)
    if result.returncode != 0:
        raise DeployError("Product sync failed (exit %d): %s" % (result.returncode, result.stderr[-500:]))
