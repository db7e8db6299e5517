"""Time in one place, so tests and the ledger agree on formats."""
import datetime


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment=None):
    """Sortable UTC timestamp with microseconds (the ledger's sort key)."""
    return (moment or now()).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def today():
    return now().date()
