"""The API process: `chalice local` as a child in its own process group,
started through `scripts/dev.py chalice-local` so that it ends with its
parent (Linux), even when the parent is killed with SIGKILL."""
import os
import signal
import sys

from scripts import BACKEND, ROOT
from scripts.devstack.child_process import ChildProcess
from scripts.devstack.output import say
from scripts.devstack.ports import HOST
from scripts.devstack.settings import STAGE

DEV_SCRIPT = os.path.join(ROOT, "scripts", "dev.py")


def api_child_main(argv):
    """`dev.py chalice-local PARENT_PID ARGS...`: run `chalice ARGS` in this
    process, which ends when its parent does (Linux), even if the parent is
    killed with SIGKILL and cannot clean up."""
    parent = int(argv[0])
    set_parent_death_signal()
    if os.getppid() != parent:
        return 1
    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        signal.signal(getattr(signal, name), exit_now)
    from chalice.cli import main

    from scripts.devstack import local_gateway, local_server, stream_poller

    local_server.configure()  # listen backlog, Nagle, clients that go away
    local_gateway.install()  # before chalice loads the app
    # The email sender's stream, polled in this process as Lambda would
    # invoke `send_emails` in AWS (scripts/devstack/stream_poller.py). It
    # loads the app, so it comes after the gateway's install.
    stream_poller.start_for_local_api(BACKEND, STAGE)
    sys.argv = ["chalice"] + argv[1:]
    return main()


def exit_now(*_):
    """A stop signal: the API keeps nothing to save, so it exits at once and
    quietly, however many signals arrive (the parent's stop, and the
    parent-death signal when the parent exits)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed or busy stream: nothing to save
            pass
    os._exit(0)


def set_parent_death_signal():
    """On Linux, this process gets SIGTERM when its parent dies, even by
    SIGKILL (kept across exec)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def exec_child_main(argv):
    """`dev.py exec PARENT_PID COMMAND...`: become COMMAND, which ends when
    the parent does (Linux)."""
    set_parent_death_signal()
    if os.getppid() != int(argv[0]):
        return 1
    os.execvp(argv[1], argv[1:])


class ApiProcess(ChildProcess):
    """`chalice local` as a child in its own process group."""

    def __init__(self, port, environ):
        self.port = port
        command = [sys.executable, DEV_SCRIPT, "chalice-local", str(os.getpid()),
                   "local", "--stage", STAGE, "--host", HOST, "--port", str(port), "--no-autoreload"]
        super().__init__(command, BACKEND, environ, "api | ", say)
