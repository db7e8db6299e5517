"""What `make dev` prints: its own lines on stdout/stderr, safe from any
thread and on closed streams (background runs)."""
import os
import sys
import threading

from scripts import ROOT

_output_lock = threading.Lock()


def ensure_standard_streams():
    """Started with stdin, stdout or stderr closed (`<&- >&-`, some CI
    runners): point the missing ones at /dev/null, so that neither this
    process, nor its libraries, nor the API process fail on them."""
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
            setattr(sys, name, open(fd, mode, closefd=False))


def say(line=""):
    _write(sys.stdout, line)


def warn(line):
    _write(sys.stderr, line)


def _write(stream, line):
    """Print a line now; a closed or broken stream (background runs) is ignored."""
    with _output_lock:
        try:
            stream.write(line + "\n")
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass


def relative(path):
    try:
        rel = os.path.relpath(path, ROOT)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
