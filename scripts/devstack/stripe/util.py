"""Small helpers every part of the sandbox uses: ids, timestamps, billing
periods, money as text, and Stripe's all-or-nothing updates and metadata merge."""

from __future__ import annotations

import calendar
import copy
import datetime
import secrets
import string
import time
from typing import Callable

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    """Random id with one of Stripe's prefixes, so id-sniffing code behaves."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def now() -> int:
    """Unix seconds: Stripe timestamps have no fractional part."""
    return int(time.time())


def public(obj: dict) -> dict:
    """A deep copy without the ``_``-prefixed bookkeeping kept alongside each object."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def shift(anchor: int, interval: str, count: int) -> int:
    """``anchor`` plus ``count`` billing intervals.

    Month and year steps keep the anchor's day of month, clamped to the
    month's length, the way Stripe's billing cycle anchor works (Jan 31 ->
    Feb 28 -> Mar 31).
    """
    if interval in ("day", "week"):
        return anchor + count * (7 if interval == "week" else 1) * 86400
    start = datetime.datetime.fromtimestamp(anchor, tz=datetime.timezone.utc)
    months = start.month - 1 + count * (12 if interval == "year" else 1)
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())


_ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg",
                 "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
_SYMBOLS = {"gbp": "£", "usd": "$", "eur": "€", "jpy": "¥", "inr": "₹",
            "cad": "CA$", "aud": "A$", "nzd": "NZ$"}


def format_amount(amount: int, currency: str) -> str:
    """Minor units to display text, e.g. (500, "gbp") -> "£5.00"."""
    code = (currency or "").lower()
    if code in _ZERO_DECIMAL:
        text = f"{amount:,}"
    else:
        text = f"{amount // 100:,}.{amount % 100:02d}"
    symbol = _SYMBOLS.get(code)
    return f"{symbol}{text}" if symbol else f"{text} {code.upper()}"


def describe_recurring(recurring: dict | None) -> str:
    """"per month" / "every 3 months" / "" for one-time prices."""
    if not recurring:
        return ""
    count, interval = recurring["interval_count"], recurring["interval"]
    return f"per {interval}" if count == 1 else f"every {count} {interval}s"


def atomically(obj: dict, change: Callable[[dict], None]) -> dict:
    """Apply ``change`` to a copy and commit it only if it raised nothing.

    Stripe updates are all-or-nothing: a 400 must leave the object untouched.
    """
    draft = copy.deepcopy(obj)
    change(draft)
    obj.clear()
    obj.update(draft)
    return obj


def apply_metadata(current: dict, update: dict | str | None) -> dict:
    """Stripe's metadata merge: keys are added/replaced, empty values unset them."""
    if update is None:
        return dict(current)
    if update == "":
        return {}
    merged = {**current, **update}
    return {k: v for k, v in merged.items() if v != ""}

