"""Per-key rate limits, checked inside the metered call's one conditional write.

A key's slot on the account item holds `p`, its window in seconds (0: no
limit, 1: per second, 60: per minute), and `q`, the times (epoch seconds) of
its last N admitted calls, oldest first, N being the limit; a key without a
limit keeps one time, its last use. A call in the window that starts at
`start` is admitted when fewer than N calls were admitted since `start`,
which is `q[0] < start`; admitting drops `q[0]` and appends the call's time.
The check and the shift are part of the spend's conditional UpdateItem: no
read, the same update whatever the key's limit, exact under any concurrency.

Windows are fixed (aligned to the clock's seconds or minutes): a client may
make N calls at the end of one window and N more at the start of the next,
so up to 2N calls can pass in a span shorter than one window.
"""
import datetime

from chalicelib.platform.errors import BadRequest

PERIODS = {"second": 1, "minute": 60}
MAX_REQUESTS = 100
# `SET q[QUEUE_END] = t` appends t: DynamoDB appends for any index past the end.
QUEUE_END = MAX_REQUESTS + 1
NO_LIMIT = 0


class RateLimit:
    def __init__(self, requests, per):
        self.requests = requests
        self.per = per

    @property
    def seconds(self):
        return PERIODS[self.per]

    def view(self):
        return {"requests": self.requests, "per": self.per}

    @classmethod
    def parse(cls, raw):
        """`{"requests": 1-100, "per": "second"|"minute"}` or null (no limit)."""
        if raw is None:
            return None
        if (not isinstance(raw, dict) or set(raw) != {"requests", "per"}
                or not isinstance(raw["per"], str) or raw["per"] not in PERIODS or isinstance(raw["requests"], bool)
                or not isinstance(raw["requests"], int) or not 1 <= raw["requests"] <= MAX_REQUESTS):
            raise BadRequest('rate_limit must be null or {"requests": 1-%d, "per": "second" or "minute"}.'
                             % MAX_REQUESTS, code="invalid_rate_limit")
        return cls(raw["requests"], raw["per"])

    @classmethod
    def stored(cls, requests, per):
        """From what a key's record holds (None: no limit)."""
        return None if requests is None or per is None else cls(int(requests), per)


def window_seconds(limit):
    return NO_LIMIT if limit is None else limit.seconds


def times_for(limit, times=()):
    """The slot's `q` for `limit`, keeping the newest of `times`, so that
    changing a limit does not open a fresh window."""
    size = 1 if limit is None else limit.requests
    kept = sorted(int(t) for t in times)[-size:]
    return [0] * (size - len(kept)) + kept


def window_start(period, now_seconds):
    return now_seconds - now_seconds % period


def admits(slot, now_seconds):
    """The condition, on a slot path (`Account.api_keys[id]`): no limit, or
    fewer than N calls admitted in the current window of its kind. Each
    period divides the longer ones, so a call before the longest window's
    start is before every window's start: that test needs no period."""
    queue = slot["q"]
    longest = max(PERIODS.values())
    condition = (slot["p"] == NO_LIMIT) | (queue[0] < window_start(longest, now_seconds))
    for period in sorted(PERIODS.values())[:-1]:
        condition = condition | ((slot["p"] == period) & (queue[0] < window_start(period, now_seconds)))
    return condition


def record(slot, now_seconds):
    """The actions that count an admitted call (and its key's last use)."""
    return [slot["q"][QUEUE_END].set(now_seconds), slot["q"][0].remove()]


def is_limited(slot, now_seconds):
    """Whether a stored slot ({"p", "q"}) refuses a call now."""
    period = int(slot.get("p") or NO_LIMIT)
    queue = slot.get("q") or [0]
    return period != NO_LIMIT and int(queue[0]) >= window_start(period, now_seconds)


def retry_after(slot, now_seconds):
    """Whole seconds until the key's window ends (at least 1)."""
    period = int(slot.get("p") or 1)
    return max(1, window_start(period, now_seconds) + period - now_seconds)


def last_used(times):
    """The UTC date of the key's last admitted call, or None."""
    latest = max((int(t) for t in times or [0]), default=0)
    if not latest:
        return None
    return datetime.datetime.fromtimestamp(latest, datetime.timezone.utc).date().isoformat()
