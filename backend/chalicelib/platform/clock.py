"""Time in one place, so tests and the ledger agree on formats."""
import datetime


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(moment=None):
    """Sortable UTC timestamp with microseconds (the ledger's sort key)."""
    return (moment or now()).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def today():
    return now().date()


def iso_seconds(moment):
    """UTC to the second, e.g. 2026-12-06T04:30:00Z (when something happens next)."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_epoch(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
