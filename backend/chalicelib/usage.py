"""Daily usage, counted on the account item by the same write that spends."""
import datetime

from chalicelib import clock
from chalicelib.errors import BadRequest
from chalicelib.models import plain

MAX_DAYS = 90
DEFAULT_DAYS = 30


def parse_days(raw):
    if raw is None:
        return DEFAULT_DAYS
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest("days must be a whole number from 1 to %d." % MAX_DAYS, code="invalid_days")
    return days


def daily_usage(account, days, today=None):
    """One row per day, oldest first, zero where nothing was spent."""
    today = today or clock.today()
    counts = plain(account.usage)
    rows = []
    for offset in range(days - 1, -1, -1):
        day = (today - datetime.timedelta(days=offset)).isoformat()
        rows.append({"date": day, "credits": int(counts.get(day, 0))})
    return rows

