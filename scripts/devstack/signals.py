"""Stop signals (Ctrl-C, SIGTERM, SIGHUP) as an exception in the main thread.

The first signal raises `Stop` once; every later one is only counted, so a
second Ctrl-C, or the SIGTERM `make` forwards on top of the one sent to the
whole process group, never interrupts the stopping (which would print a
traceback and leave processes behind)."""
import contextlib
import signal


class Stop(BaseException):
    """A stop signal arrived (a BaseException so that no library swallows it)."""


class Signals:
    """SIGINT, SIGTERM and SIGHUP raise `Stop` in the main thread, once,
    except inside `deferred()` (e.g. while a child process is being started,
    so that it is always recorded before anything is stopped) and after
    `stopping()`."""

    NAMES = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self):
        self.received = None
        self.count = 0
        self._deferred = 0
        self._armed = True

    def install(self):
        for name in self.NAMES:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self._handle)

    def stopping(self):
        """From now on signals are only counted: nothing interrupts the cleanup."""
        self._armed = False

    def _handle(self, signum, _frame):
        self.count += 1
        if self.received is None:
            self.received = signal.Signals(signum).name
        if not self._deferred:
            self._raise()

    def _raise(self):
        if self._armed and self.received:
            self._armed = False  # before raising: a signal arriving now is only counted
            raise Stop(self.received)

    @contextlib.contextmanager
    def deferred(self):
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1
        if not self._deferred:
            self._raise()
