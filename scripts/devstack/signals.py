"""Stop signals (Ctrl-C, SIGTERM, SIGHUP) as an exception in the main thread."""
import contextlib
import signal


class Stop(BaseException):
    """A stop signal arrived (a BaseException so that no library swallows it)."""


class Signals:
    """SIGINT, SIGTERM and SIGHUP raise `Stop` in the main thread, except
    inside `deferred()` (e.g. while a child process is being started, so that
    it is always recorded before anything is stopped)."""

    NAMES = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self):
        self.received = None
        self._deferred = 0

    def install(self):
        for name in self.NAMES:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self._handle)

    def ignore(self):
        """While stopping: note further signals, do not interrupt the cleanup."""
        for name in self.NAMES:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), lambda *_: None)

    def _handle(self, signum, _frame):
        if self.received is None:
            self.received = signal.Signals(signum).name
        if not self._deferred:
            raise Stop(self.received)

    @contextlib.contextmanager
    def deferred(self):
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
        if not self._deferred and self.received:
            raise Stop(self.received)
