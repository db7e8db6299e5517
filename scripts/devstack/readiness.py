"""Waiting for the stack: HTTP polling, and start-up steps run in threads."""
import threading
import time
import urllib.error
import urllib.request

from scripts.devstack.errors import Failure
from scripts.devstack.settings import STARTUP_TIMEOUT_SECONDS

_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # local: never via a proxy


def http_status(url, timeout=2.0):
    try:
        with _direct.open(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError, ValueError):
        return None


def wait_until(description, ready, timeout=STARTUP_TIMEOUT_SECONDS, check=None):
    """Poll `ready()` until true; `check()` raises if waiting is pointless."""
    deadline = time.monotonic() + timeout
    while True:
        if check is not None:
            check()
        if ready():
            return
        if time.monotonic() > deadline:
            raise Failure("%s did not answer within %d s." % (description, timeout))
        time.sleep(0.1)


class Background:
    """A startup step run in a thread; `result()` returns its value or
    raises its error as a `Failure`."""

    def __init__(self, description, function):
        self.description = description
        self._outcome = {}
        self._thread = threading.Thread(target=self._run, args=(function,), daemon=True,
                                        name=description)
        self._thread.start()

    def _run(self, function):
        try:
            self._outcome["value"] = function()
        except Exception as error:  # re-raised in the main thread
            self._outcome["error"] = error

    def result(self, timeout):
        deadline = time.monotonic() + timeout
        while self._thread.is_alive():
            if time.monotonic() > deadline:
                raise Failure("Could not %s within %d s." % (self.description, timeout))
            self._thread.join(0.1)
        if "error" in self._outcome:
            raise Failure("Could not %s: %s" % (self.description, self._outcome["error"]))
        return self._outcome.get("value")
