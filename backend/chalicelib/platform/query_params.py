"""Numbers in query strings, parsed strictly: shared by the routes and by the
domain modules that own a parameter's range (usage days, page sizes)."""
import re

from chalicelib.platform.errors import BadRequest

WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(raw, name, low, high, default):
    """A query-string number: ASCII digits only (no sign, spaces, `_` or
    other scripts' digits, all of which Python's int() accepts)."""
    if raw is None:
        return default
    if not isinstance(raw, str) or not WHOLE_NUMBER.fullmatch(raw) or not low <= int(raw) <= high:
        raise BadRequest("%s must be a whole number from %d to %d." % (name, low, high),
                         code="invalid_%s" % name)
    return int(raw)
