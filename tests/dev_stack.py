"""`scripts/dev.py` (what `make dev` runs) as a child process of a test, on
free ports and with its own state directory, so it never clashes with a
running `make dev`; and checks that a stopped stack left nothing behind."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from scripts import ROOT
from scripts.devstack.api_process import DEV_SCRIPT
from scripts.devstack.ports import port_available
from scripts.devstack.settings import APP_VARIABLES

READY_TIMEOUT = 120
STOP_TIMEOUT = 30
REQUIRED_KEYS = ("api_url", "aws_endpoint_url", "region", "user_pool_id", "user_pool_client_id",
                 "stripe_api_base", "stripe_webhook_secret", "frontend_url", "state_machine_arn", "ports")
# Whatever the test session (or the shell) set for other stacks must not leak in.
CLEARED = APP_VARIABLES + (
    "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRICT_PORTS", "MOTO_PORT", "DEV_STATE_DIR",
    "API_PORT", "MOTO_SERVER_PORT", "STRIPE_SANDBOX_PORT", "INBOX_PORT", "FREE_REFILL_PERIOD_SECONDS",
    "CHECKOUT_SUCCESS_URL", "CHECKOUT_CANCEL_URL", "DEV_FRONTEND", "FRONTEND_PORT",
)


def frontend_built():
    return os.path.isfile(os.path.join(ROOT, "frontend", "dist", "index.html"))


def shared_stack(directory):
    """The stack behind the `shared_dev_stack` fixture (tests/conftest.py):
    serving the built frontend when there is one."""
    running = DevStack(directory, DEV_FRONTEND="dist" if frontend_built() else "off")
    try:
        running.wait_ready()
    except BaseException:
        running.kill()
        raise
    return running


class DevStack:
    """`python scripts/dev.py` (or `command`, e.g. `make dev`) as a child
    process in its own process group, output in a log file; without a
    frontend unless `DEV_FRONTEND` is given."""

    def __init__(self, state_dir, command=None, **variables):
        self.state_dir = str(state_dir)
        self.config_path = os.path.join(self.state_dir, "dev.json")
        self.log_path = os.path.join(self.state_dir, "dev.log")
        os.makedirs(self.state_dir, exist_ok=True)
        environ = {name: value for name, value in os.environ.items() if name not in CLEARED}
        environ.update(DEV_STATE_DIR=self.state_dir, API_PORT="0", MOTO_SERVER_PORT="0",
                       STRIPE_SANDBOX_PORT="0", INBOX_PORT="0", FRONTEND_PORT="0", DEV_FRONTEND="off",
                       PYTHONUNBUFFERED="1")
        environ.update(variables)
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            command or [sys.executable, DEV_SCRIPT], cwd=ROOT, env=environ, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.config = None

    def output(self):
        with open(self.log_path) as handle:
            return handle.read()

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.config_path):
            if self.process.poll() is not None:
                pytest.fail("scripts/dev.py exited with %s before the stack was ready:\n%s"
                            % (self.process.returncode, self.output()[-4000:]))
            if time.monotonic() > deadline:
                pytest.fail("The stack was not ready within %d s:\n%s" % (timeout, self.output()[-4000:]))
            time.sleep(0.1)
        with open(self.config_path) as handle:
            self.config = json.load(handle)
        return self.config

    def wait_for(self, what, check, timeout=30):
        """`check()`'s first true answer, polled while the stack works
        (a webhook, an email on its way); the stack's output on a timeout."""
        deadline = time.monotonic() + timeout
        while True:
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, "waited %d s for %s\n%s" % (timeout, what, self.output()[-3000:])
            time.sleep(0.25)

    def wait_exit(self, timeout=STOP_TIMEOUT):
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail("scripts/dev.py did not exit within %d s:\n%s" % (timeout, self.output()[-4000:]))

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.wait_exit(timeout)

    def kill(self):
        """Last-resort cleanup, whatever a test left running."""
        groups = []
        if self.process.poll() is None:
            groups.append(self.process.pid)
        processes = (self.config or {}).get("processes") or {}
        for name, marker in (("api", b"chalice-local"), ("frontend", b"dev.py")):
            pid = processes.get(name)
            if pid and marker in _cmdline(pid):
                groups.append(pid)
        for pgid in groups:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._log.close()


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def process_exists(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state != "Z"


def processes_in_group(pgid):
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid and process_exists(int(entry)):
                    found.append(int(entry))
            except (ProcessLookupError, PermissionError):
                pass
    return found


def listening(port):
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def assert_stopped_cleanly(stack, config):
    processes = config["processes"]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
            any(process_exists(pid) for pid in processes.values())
            or any(listening(port) for port in config["ports"].values())):
        time.sleep(0.1)
    alive = {name: pid for name, pid in processes.items() if process_exists(pid)}
    assert not alive, "still running after the stop: %s" % alive
    for pid in processes.values():
        assert not processes_in_group(pid), "processes left in group %d" % pid
    for name, port in config["ports"].items():
        assert not listening(port), "something still listens on the %s port %d" % (name, port)
        assert port_available(port), "the %s port %d is not free" % (name, port)
    assert not os.path.exists(stack.config_path), "dev.json should be removed when the stack stops"
