"""What a customer (and an operator) sees of an account's suspension; the
actions that suspend and unsuspend are chalicelib.operators.suspensions."""
from pynamodb.exceptions import DoesNotExist

from chalicelib.platform.models import Suspension


def suspension(account, with_operator=False):
    """Why and since when the account is suspended, or None when it is not
    (a read only for suspended accounts). Customers see the reason; operators
    also see who."""
    if account.suspended is None:
        return None
    try:
        detail = Suspension.get(account.user_id, "suspension", consistent_read=True)
    except DoesNotExist:
        detail = Suspension(account.user_id, reason="", since="", operator="")
    return view(detail, with_operator)


def view(detail, with_operator=True):
    shown = {"reason": detail.reason or None, "since": detail.since or None}
    if with_operator:
        shown["operator"] = detail.operator or None
    return shown
