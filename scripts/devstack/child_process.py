"""A long-running child of `make dev` (the API, the frontend dev server): in
its own process group, so that stopping it stops everything it started; its
output forwarded line by line with a prefix, the last lines kept for errors."""
import collections
import contextlib
import os
import signal
import subprocess
import threading

STOP_TIMEOUT_SECONDS = 5


class ChildProcess:
    def __init__(self, command, cwd, environ, prefix, out):
        self.command = command
        self.cwd = cwd
        self.environ = environ
        self.prefix = prefix
        self.out = out
        self.process = None
        self.recent = collections.deque(maxlen=40)
        self._reader = None

    def start(self):
        self.process = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.environ, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            bufsize=1, text=True, errors="replace")
        self._reader = threading.Thread(target=self._forward, name=self.prefix.strip() + "-output",
                                        daemon=True)
        self._reader.start()
        return self

    def _forward(self):
        for line in self.process.stdout:
            line = line.rstrip("\n")
            self.recent.append(line)
            self.out(self.prefix + line)

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def exited(self):
        return self.process is not None and self.process.poll() is not None

    def output_tail(self, lines=20):
        if self._reader is not None:
            self._reader.join(timeout=1)
        return "\n".join(list(self.recent)[-lines:])

    def stop(self, timeout=STOP_TIMEOUT_SECONDS):
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, timeout)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # anything it left in its group
        if self._reader is not None:
            self._reader.join(timeout=1)
