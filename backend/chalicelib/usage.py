"""Daily usage, counted on the account item by the same write that spends."""
import datetime

from chalicelib import clock
from chalicelib.models import plain
from chalicelib.web import whole_number

MAX_DAYS = 90
DEFAULT_DAYS = 30


def parse_days(raw):
    return whole_number(raw, "days", 1, MAX_DAYS, DEFAULT_DAYS)


def daily_usage(account, days, today=None):
    """One row per day, oldest first, zero where nothing was spent."""
    today = today or clock.today()
    counts = plain(account.usage)
    rows = []
    for offset in range(days - 1, -1, -1):
        day = (today - datetime.timedelta(days=offset)).isoformat()
        rows.append({"date": day, "credits": int(counts.get(day, 0))})
    return rows

