"""Webhook signing and delivery: one worker thread per endpoint posts each
event signed the way Stripe signs it, retrying with back-off."""

from __future__ import annotations

import heapq
import hmac
import http.client
import itertools
import json
import threading
import time
import urllib.parse
from hashlib import sha256

from .util import now, public

WEBHOOK_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


# A delivery the sandbox was told to drop (`drop_deliveries`): failed, and not
# retried, as if Stripe had given up on it.
DROPPED = "dropped by the sandbox"

def sign_payload(payload: str, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header: HMAC-SHA256 of ``"{t}.{payload}"``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class DeliveryWorker(threading.Thread):
    """Posts events to one endpoint.

    First attempts go out in creation order; a failed attempt is rescheduled
    with back-off instead of blocking the queue, so one broken event cannot
    stall the rest (Stripe itself does not promise ordering across retries).
    Shares the sandbox's condition so state and queues use one lock.
    """

    def __init__(self, cond: threading.Condition, endpoint: dict, delays: tuple, timeout: float):
        super().__init__(daemon=True, name=f"webhook-{endpoint['id']}")
        self.cond, self.endpoint = cond, endpoint
        self.delays, self.timeout = tuple(delays), timeout
        self.queue: list = []  # heap of (due, seq, attempt, event)
        self.busy = False
        self.stopped = False
        self.dropping = lambda: False  # set by the Dispatcher
        self._seq = itertools.count()

    @property
    def idle(self) -> bool:
        return self.stopped or (not self.queue and not self.busy)

    def matches(self, event_type: str) -> bool:
        enabled = self.endpoint["enabled_events"]
        return "*" in enabled or event_type in enabled

    def enqueue(self, event: dict, attempt: int = 1, delay: float = 0.0) -> None:
        """Caller holds the lock."""
        heapq.heappush(self.queue, (time.monotonic() + delay, next(self._seq), attempt, event))
        self.cond.notify_all()

    def stop(self) -> None:
        """Caller holds the lock."""
        self.stopped = True
        self.queue.clear()
        self.cond.notify_all()

    def run(self) -> None:
        while (job := self._take()) is not None:
            attempt, event, payload = job
            if self.dropping():
                self._record(event, attempt, None, DROPPED, retry=False)
                continue
            status, error = self._post(payload)
            self._record(event, attempt, status, error)

    def _take(self):
        with self.cond:
            while not self.stopped:
                wait = self.queue[0][0] - time.monotonic() if self.queue else None
                if wait is not None and wait <= 0:
                    _, _, attempt, event = heapq.heappop(self.queue)
                    self.busy = True
                    return attempt, event, json.dumps(public(event), indent=2)
                self.cond.wait(wait)
            return None

    def _post(self, payload: str) -> tuple[int | None, str | None]:
        """One signed attempt. http.client keeps header names exactly as Stripe spells
        them (urllib would send "Stripe-signature"), which matters to receivers that
        read raw header dicts."""
        url = urllib.parse.urlsplit(self.endpoint["url"])
        connection_class = (http.client.HTTPSConnection if url.scheme == "https"
                            else http.client.HTTPConnection)
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "User-Agent": WEBHOOK_USER_AGENT,
                   "Stripe-Signature": sign_payload(payload, self.endpoint["secret"], now())}
        connection = connection_class(url.netloc, timeout=self.timeout)
        try:
            connection.request("POST", urllib.parse.urlunsplit(("", "", url.path or "/",
                                                                url.query, "")),
                               body=payload.encode(), headers=headers)
            response = connection.getresponse()
            response.read()  # closing before the body is read resets the receiver's socket
            status = response.status
            return status, None if 200 <= status < 300 else f"HTTP {status}"
        except (OSError, http.client.HTTPException) as exc:
            return None, str(exc) or type(exc).__name__
        finally:
            connection.close()

    def _record(self, event: dict, attempt: int, status: int | None, error: str | None,
                retry: bool = True) -> None:
        with self.cond:
            event["_attempts"].append({"endpoint": self.endpoint["url"], "attempt": attempt,
                                       "at": now(), "status": status, "error": error})
            if status is not None and 200 <= status < 300:
                event["pending_webhooks"] = max(0, event["pending_webhooks"] - 1)
            elif retry and attempt <= len(self.delays) and not self.stopped:
                self.enqueue(event, attempt + 1, self.delays[attempt - 1])
            self.busy = False
            self.cond.notify_all()


class Dispatcher:
    """Webhook endpoints (the startup one plus API-registered ones) and their workers."""

    def __init__(self, cond: threading.Condition, delays: tuple, timeout: float):
        self.cond, self.delays, self.timeout = cond, delays, timeout
        self.workers: dict[str, DeliveryWorker] = {}
        self.dropping = False

    def add(self, endpoint_id: str, url: str, secret: str, enabled_events: list[str]) -> None:
        endpoint = {"id": endpoint_id, "url": url, "secret": secret,
                    "enabled_events": list(enabled_events)}
        self.remove(endpoint_id)
        worker = self.workers[endpoint_id] = DeliveryWorker(self.cond, endpoint, self.delays,
                                                            self.timeout)
        worker.dropping = lambda: self.dropping
        worker.start()

    def remove(self, endpoint_id: str) -> None:
        worker = self.workers.pop(endpoint_id, None)
        if worker:
            worker.stop()

    def dispatch(self, event: dict) -> int:
        """Queue ``event`` for every matching endpoint; returns how many."""
        targets = [w for w in self.workers.values() if w.matches(event["type"])]
        for worker in targets:
            worker.enqueue(event)
        return len(targets)

    def idle(self) -> bool:
        return all(worker.idle for worker in self.workers.values())

    def stop_all(self) -> list[DeliveryWorker]:
        workers = list(self.workers.values())
        for endpoint_id in list(self.workers):
            self.remove(endpoint_id)
        return workers

