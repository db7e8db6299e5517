"""Which optional emails a customer gets: `GET /notifications` and `PUT
/notifications` (`{"low_balance": bool, "product_updates": bool}`, both on
by default). Only what is turned off is stored, as the set `email_off` on
the account item (absent for almost every account), so the metered call's
item stays as small as before. Payment and security emails have no switch.
"""
from pynamodb.exceptions import UpdateError

from chalicelib.platform import db
from chalicelib.platform.errors import BadRequest, NotFound
from chalicelib.platform.models import Account
import chalicelib.notices.templates as templates


def view(account):
    """{preference: on?} for every preference."""
    off = set(account.email_off or ())
    return {name: name not in off for name in templates.PREFERENCES}


def turned_off(account, kind):
    """The customer turned off the preference that governs `kind`."""
    preference = templates.template(kind).preference
    return preference is not None and preference in set(account.email_off or ())


def parse(body):
    """The PUT body: exactly the preferences, each a boolean (400
    `invalid_notifications` otherwise)."""
    expected = set(templates.PREFERENCES)
    if set(body) != expected or not all(isinstance(body[name], bool) for name in expected):
        raise BadRequest('The body must be {"low_balance": true|false, "product_updates": true|false}.',
                         code="invalid_notifications")
    return {name: body[name] for name in templates.PREFERENCES}


def save(user_id, wanted):
    """Stores `wanted` (from `parse`) on the account; returns the view."""
    off = {name for name, on in wanted.items() if not on}
    action = Account.email_off.set(off) if off else Account.email_off.remove()
    try:
        Account(user_id).update(actions=[action], condition=Account.user_id.exists())
    except UpdateError as error:
        if db.is_condition_failure(error):
            raise NotFound("No account with this id.", code="not_found")
        raise
    return {name: name not in off for name in templates.PREFERENCES}
