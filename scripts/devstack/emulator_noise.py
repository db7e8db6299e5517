"""The AWS emulator's console output, one readable line per event.

moto's Step Functions interpreter logs every error it meets at every level
of the state machine it is evaluating, each time with the `repr()` of the
component -- the whole parsed state machine, 30 KB and more on one line. The
local stack runs moto in the `make dev` process, so these lines land in its
console between the API's log lines.

Known noise (moto 5.2). When a refill execution is stopped (StopExecution:
`refill.py` stops the Free refill when an account subscribes) while it waits
inside its Map state, moto's iteration worker reports the stop as a
`MapIterationAborted` failure whose details are a string where the Map state
expects a dict, so the Map state fails with `AttributeError: 'str' object
has no attribute 'get'` and the execution ends FAILED instead of ABORTED
(AWS records ExecutionAborted). Nothing depends on the difference: the app
treats both as ended. The three records moto logs for it (two of them ~35 KB)
become one line:

    aws | Step Functions: execution refill-…-1 stopped inside its Map state
    (the emulator records it as FAILED, AWS as ABORTED)

Anything else the interpreter logs is one line too: the error and the
component's class name, without the component's dump, and the same error
logged again by each enclosing component is printed once.

`install()` sends the records of `moto.stepfunctions.parser` to a handler
that writes these lines (and no longer to the root logger); `emulator.
start_moto()` calls it. `EMULATOR_LOG=full` leaves moto's output as it is.
"""
import logging
import os
import re
import sys
import threading

from scripts.devstack.output import warn

LOGGER = "moto.stepfunctions.parser"
VERBOSE_VARIABLE = "EMULATOR_LOG"
PREFIX = "aws | Step Functions: "
MAX_TEXT = 300
COMPONENT = re.compile(r"^\((\w+)\|")
ABORTED_ITERATION = "Exception=FailureEventException, Error=HistoryEventType.MapIterationAborted"
STR_HAS_NO_GET = "'str' object has no attribute 'get'"
MAP_STATE_ERROR = 'Exception=AttributeError, Details=["%s"]' % STR_HAS_NO_GET
PROGRAM_ENDED = "Stepfunctions computation ended with exception '%s'."


class OneLineHandler(logging.Handler):
    """Writes each Step Functions record as at most one line through `out`."""

    def __init__(self, out=None):
        super().__init__(logging.WARNING)
        self.out = out or warn
        self._thread = threading.local()

    def emit(self, record):
        try:
            line = self.line(record)
        except Exception:  # noqa: BLE001 - a record we cannot read is still one line
            line = PREFIX + _shorten(str(record.msg))
        if line is not None:
            self.out(line)

    def line(self, record):
        """The line for `record`, or None when it adds nothing."""
        seen = self._thread
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg == "%s at '%s'" and len(args) == 2:
            summary, component = str(args[0]), COMPONENT.match(str(args[1]))
            if summary.startswith(ABORTED_ITERATION):
                return None  # a stop seen from inside the Map state; the program's record follows
            if summary == MAP_STATE_ERROR:
                seen.stopped_in_map = True
                return None
            text = "%s at %s" % (summary, component.group(1) if component else "a state")
            if text == getattr(seen, "last", None):
                return None  # the same error, logged again by an enclosing component
            seen.last = text
            return PREFIX + _shorten(text) + _exception(record)
        if record.msg == PROGRAM_ENDED and args == ("AttributeError(%s)" % STR_HAS_NO_GET,) and getattr(
                seen, "stopped_in_map", False):
            seen.stopped_in_map = False
            seen.last = None
            name = _execution_name()
            return PREFIX + "execution %sstopped inside its Map state (the emulator records it as FAILED, " \
                            "AWS as ABORTED)" % (name + " " if name else "")
        seen.last = None
        return PREFIX + _shorten(record.getMessage()) + _exception(record)


def _shorten(text):
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def _exception(record):
    if not record.exc_info or not record.exc_info[1]:
        return ""
    error = record.exc_info[1]
    return " (%s: %s)" % (type(error).__name__, _shorten(error))


def _execution_name(depth=60):
    """The name of the execution whose thread is logging, from the
    interpreter's `env` on the stack; None if it cannot be found."""
    frame = sys._getframe(1)
    for _ in range(depth):
        if frame is None:
            return None
        env = frame.f_locals.get("env")
        try:
            return env.states.context_object.context_object_data["Execution"]["Name"]
        except (AttributeError, KeyError, TypeError):
            frame = frame.f_back
    return None


_handlers = []


def install(environ=None, out=None):
    """Route moto's Step Functions log through `OneLineHandler` (once);
    returns the handler, or None with EMULATOR_LOG=full."""
    environ = os.environ if environ is None else environ
    if environ.get(VERBOSE_VARIABLE, "").strip().lower() == "full":
        return None
    if not _handlers:
        handler = OneLineHandler(out)
        logger = logging.getLogger(LOGGER)
        logger.addHandler(handler)
        logger.propagate = False
        _handlers.append(handler)
    return _handlers[0]
