"""What the deploy checks before it touches AWS: every problem is reported at
once, with what to do about it."""
import os
import re
import shutil

from scripts.deploy import FRONTEND, DeployError

STRIPE_KEY = re.compile(r"^sk_(test|live)_[A-Za-z0-9]{16,}$")
KEY_MODES = {"test": "sk_test_", "live": "sk_live_"}


def stripe_key_problems(stage, key, allow_any_mode=False):
    if not key:
        return ["STRIPE_SECRET_KEY is not set: export the stage's Stripe secret key "
                "(sk_test_... for dev, sk_live_... for prod)."]
    if not STRIPE_KEY.match(key):
        return ["STRIPE_SECRET_KEY does not look like a Stripe secret key (sk_test_... or "
                "sk_live_...; restricted rk_ keys and publishable pk_ keys are not enough)."]
    wanted = stage.settings.get("stripe_key_mode", "test")
    if not allow_any_mode and not key.startswith(KEY_MODES[wanted]):
        return ["Stage %s takes a %s key (%s...), not %s...; pass --allow-any-stripe-mode if "
                "this is deliberate." % (stage.name, wanted, KEY_MODES[wanted], key[:8])]
    return []


def credential_problems(session):
    if session.get_credentials() is None:
        return ["No AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (aws configure / aws sso login)."]
    return []


def region_problems(stage):
    if not stage.region:
        return ["No region: set REGION in the %s stage of backend/.chalice/config.json "
                "or export AWS_REGION." % stage.name]
    return []


def google_problems(environ):
    given = [name for name in ("GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET") if environ.get(name)]
    if len(given) == 1:
        return ["Google sign-in needs both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (only %s "
                "is set)." % given[0]]
    return []


def email_problems(stage):
    from email.utils import parseaddr

    address = parseaddr(stage.email_sender)[1]
    if "@" not in address or "." not in address.rpartition("@")[2]:
        return ["No email sender for stage %s: set email_sender in infra/stages.json (e.g. "
                "\"Credits <no-reply@example.com>\") or export EMAIL_SENDER." % stage.name]
    identity = stage.email_identity
    if identity != address and address.rpartition("@")[2] != identity:
        return ["email_identity %r of stage %s is neither the sender's address nor its domain (%s)."
                % (identity, stage.name, address)]
    return []


def frontend_problems():
    if os.path.exists(os.path.join(FRONTEND, "package.json")) and shutil.which("npm") is None:
        return ["frontend/package.json exists but npm is not on PATH (Node.js 20+ builds the site)."]
    return []


def check_inputs(stage, session, environ=None, allow_any_stripe_mode=False):
    """Raise DeployError listing every problem; return quietly when all is well."""
    environ = os.environ if environ is None else environ
    problems = (credential_problems(session) + region_problems(stage)
                + stripe_key_problems(stage, environ.get("STRIPE_SECRET_KEY"), allow_any_stripe_mode)
                + google_problems(environ) + email_problems(stage) + frontend_problems())
    if problems:
        raise DeployError("Nothing was changed:\n" + "\n".join("  - " + p for p in problems))
