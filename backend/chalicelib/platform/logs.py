"""Structured logs: one JSON line per request and per event, through
Powertools for AWS Lambda's `Logger`.

Every module logs with `logging.getLogger("credits-saas")` (the `LOGGER`
name); once `get()` has built the Powertools logger those records leave as
JSON lines with the request's `correlation_id`. Powertools is imported on
first use, not with the app, so a cold start that never logs does not pay
for it.

The request line says what happened, never who the caller is beyond the
account id: no API key, token, email address, Stripe secret or card detail
(tests/test_log_safety.py runs the main flows and fails on any of them).
`redact()` is the second line of defence: every line is serialised, then
anything shaped like one of those values is replaced before it is written.
"""
import contextlib
import functools
import json
import logging
import os
import re
import sys
import threading
import time

from chalicelib.platform import metrics

LOGGER = "credits-saas"
REDACTED = "[redacted]"

# Shapes of what must never be logged. Card numbers are 13-19 digits (with
# optional spaces or dashes) that pass the Luhn check, so ids and timestamps
# are left alone. Compiled on first use: not on the cold start.
SECRET_SHAPES = (
    r"\bak_[0-9a-f]{8,}(?:_[a-z2-7]*)?",                          # our API keys
    r"\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9]{6,}",             # Stripe API keys
    r"\bwhsec_[A-Za-z0-9_]{6,}",                                   # webhook secrets
    r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",  # JWTs
    r"(?i)\bBearer\s+[A-Za-z0-9._~+/=-]{8,}",                      # Authorization values
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",  # emails
)
CARD_NUMBER = r"(?<![\d.])\d(?:[ -]?\d){12,18}(?![\d.])"

_logger = None
_lock = threading.Lock()
_request = threading.local()


def luhn_valid(digits):
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_or_number(match):
    digits = re.sub(r"[ -]", "", match.group(0))
    return REDACTED if luhn_valid(digits) else match.group(0)


@functools.lru_cache(maxsize=None)
def _patterns():
    return [re.compile(shape) for shape in SECRET_SHAPES], re.compile(CARD_NUMBER)


def redact(text):
    """`text` with anything shaped like a key, token, email, secret or card
    number replaced by `[redacted]`."""
    shapes, card_number = _patterns()
    for shape in shapes:
        text = shape.sub(REDACTED, text)
    return card_number.sub(_card_or_number, text)


def redacting_dumps(record):
    """Powertools' serialiser: the JSON line, then redacted."""
    return redact(json.dumps(record, separators=(",", ":"), default=str, ensure_ascii=False))


class _CurrentStdout:
    """Writes to whatever sys.stdout is now (Lambda's, or a test's capture)."""

    def write(self, text):
        return sys.stdout.write(text)

    def flush(self):
        sys.stdout.flush()


def get():
    """The app's Powertools Logger, built once. Third-party libraries stay
    quiet: the Stripe SDK's per-request lines only with STRIPE_LOG set."""
    global _logger
    if _logger is None:
        with _lock:
            if _logger is None:
                from aws_lambda_powertools.logging import Logger  # Powertools: on the first log line, not at import

                _logger = Logger(service=LOGGER, stream=_CurrentStdout(), json_serializer=redacting_dumps,
                                 utc=True)
                if not os.environ.get("STRIPE_LOG"):
                    logging.getLogger("stripe").setLevel(logging.WARNING)
    return _logger


# Requests -----------------------------------------------------------------------

def note(**fields):
    """Add fields to the current request's line (account id, credits, the
    Stripe event). Outside a request this does nothing."""
    fields_so_far = getattr(_request, "fields", None)
    if fields_so_far is not None:
        fields_so_far.update((name, value) for name, value in fields.items() if value is not None)


def correlation_id(request=None, lambda_context=None):
    """API Gateway's request id; Lambda's, or a fresh one, where there is none
    (`chalice local`)."""
    context = getattr(request, "context", None) or {}
    known = context.get("requestId") or getattr(lambda_context, "aws_request_id", None)
    if known:
        return known
    import uuid  # imports the platform module: only when no request id was given
    return "local-%s" % uuid.uuid4()


@contextlib.contextmanager
def _logged(message, correlation, line):
    """Everything logged inside carries `correlation`; at the end `line`
    (with what `note()` added and the latency) is logged as `message` and
    the metrics are flushed."""
    log = get()
    started = time.perf_counter()
    _request.fields = line
    log.thread_safe_append_keys(correlation_id=correlation)
    metrics.begin()
    try:
        yield line
    finally:
        _request.fields = None
        line["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        log.info(message, extra=line)
        log.thread_safe_clear_keys()
        metrics.flush()


def logged_request(request, lambda_context, respond):
    """`respond(request)`, logged as one line with its route, status and latency."""
    context = getattr(request, "context", None) or {}
    line = {"route": context.get("resourcePath") or request.path, "method": request.method, "status": 500}
    with _logged("request", correlation_id(request, lambda_context), line):
        response = respond(request)
        line["status"] = response.status_code
        return response


def logged_event(name, lambda_context, handle):
    """A Lambda event that is not a request (the Cognito trigger), logged as
    one line with its outcome."""
    line = {"event": name, "outcome": "failed"}
    with _logged("event", correlation_id(None, lambda_context), line):
        result = handle()
        line["outcome"] = "ok"
        return result
