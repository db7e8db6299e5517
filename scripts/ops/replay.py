"""Missed Stripe webhooks, applied again through the stage's own webhook route.

Stripe keeps events for 30 days and lists those not delivered successfully
to every endpoint with `GET /v1/events?delivery_success=false` (still
retrying, or given up after 3 days). Each is signed with the stage's webhook
secret and POSTed to its `/stripe/webhook`, the same handler as a live
delivery. The handlers are idempotent (a ledger key per grant), so an event
that did arrive after all, or a second run, changes nothing.
"""
import datetime
import hashlib
import hmac
import decimal
import json
import re
import time

RETENTION_DAYS = 30
DURATION = re.compile(r"^(\d+)([dhm])$")


def since_timestamp(text, now=None):
    """`7d`, `12h`, `30m`, or an ISO date/time (UTC); None means Stripe's 30 days."""
    now = time.time() if now is None else now
    if not text:
        return int(now - RETENTION_DAYS * 86400)
    match = DURATION.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return int(now - amount * {"d": 86400, "h": 3600, "m": 60}[unit])
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("SINCE is a duration (7d, 12h, 30m) or a date (2026-11-30), not %r" % text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp())


def undelivered(stripe, since):
    """Events not delivered successfully since `since`, oldest first."""
    params = {"delivery_success": False, "created": {"gte": since}, "limit": 100}
    events = [event.to_dict() for event in stripe.v1.events.list(params=params).auto_paging_iter()]
    return sorted(events, key=lambda event: (event["created"], event["id"]))


def signature(payload, secret, timestamp=None):
    """The Stripe-Signature header Stripe would send for `payload`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), ("%d.%s" % (timestamp, payload)).encode(), hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (timestamp, mac)


def _decimal_string(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def deliver(session, webhook_url, secret, event):
    """(status, answer) of one signed POST of `event`."""
    # The SDK reads Stripe's decimal strings (tax rates, unit amounts) as
    # Decimal; on the wire, as Stripe sends them, they are strings again.
    payload = json.dumps(event, default=_decimal_string)
    response = session.post(webhook_url, data=payload.encode(), timeout=30, headers={
        "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": signature(payload, secret)})
    return response.status_code, response.text[:200]


def replay(stripe, webhook_url, secret, since, out=print, session=None):
    """Apply every undelivered event once; returns (applied, failed) counts."""
    import requests

    session = session or requests.Session()
    events = undelivered(stripe, since)
    out("%d event(s) not delivered since %s" % (
        len(events), datetime.datetime.fromtimestamp(since, datetime.timezone.utc).isoformat()))
    applied = failed = 0
    for event in events:
        status, answer = deliver(session, webhook_url, secret, event)
        ok = 200 <= status < 300
        applied, failed = applied + ok, failed + (not ok)
        out("  %s %-40s %s%s" % (event["id"], event["type"], status, "" if ok else " " + answer))
    out("%d applied, %d failed%s" % (applied, failed, " (run again once the cause is fixed)" if failed else ""))
    return applied, failed
