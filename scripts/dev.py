#!/usr/bin/env python3
"""`make dev`: the whole SaaS running offline, in one command.

Starts:

- the AWS emulator (moto server, in this process): the DynamoDB tables, the
  Cognito user pool and app client, the refill state machine (Step Functions
  executions on);
- the Stripe sandbox (in this process), its webhooks signed and sent to the
  local API -- or, when STRIPE_SECRET_KEY is set, real Stripe test mode;
- products.json synced to Stripe and the product table;
- the API: `chalice local --stage local` in backend/, a child process;
- the frontend (scripts/devstack/frontend.py): the Vite dev server, a child
  process, or the built app in frontend/dist; its /config.json is written to
  the state directory.

When everything answers it writes `.local/dev.json` (the URLs, ids and
secrets clients need) and prints the URLs. Ctrl-C, SIGTERM or SIGHUP stops
everything it started; if the API process dies, everything stops and the exit
code is 1. It never reads stdin, so it runs the same in CI or in the
background. See docs/local-stack.md; the machinery is scripts/devstack/.

    python scripts/dev.py             # what `make dev` runs
    python scripts/dev.py --reset     # what `make reset` runs: remove .local/

Environment (all optional):
    API_PORT, MOTO_SERVER_PORT, STRIPE_SANDBOX_PORT, INBOX_PORT
                         preferred ports (default 8000, 5000, 12111, 8025); a taken
                         port is replaced by a free one and the change printed;
                         0 means any free port
    STRICT_PORTS=1       fail instead, naming the taken port
    DEV_STATE_DIR        where dev.json goes (default .local)
    FREE_REFILL_PERIOD_SECONDS
                         the Free plan's refill period (default 604800, a week)
    FRONTEND_ORIGIN      the frontend's address (default http://localhost:5173)
    FRONTEND_PORT        preferred frontend port (default: FRONTEND_ORIGIN's);
                         a taken one is replaced and the origin follows
    DEV_FRONTEND         vite (default with frontend/package.json), dist
                         (serve the built frontend/dist) or off
    STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET
                         use real Stripe test mode instead of the sandbox
    EMULATOR_LOG=full    the emulator's Step Functions log as moto writes it
                         (default: one line per error)
"""
import time

STARTED = time.monotonic()

import argparse
import contextlib
import os
import sys

from scripts.devstack import frontend as dev_frontend
from scripts.devstack.api_process import api_child_main, exec_child_main
from scripts.devstack.errors import Failure
from scripts.devstack.output import ensure_standard_streams, say, warn
from scripts.devstack.signals import Signals, Stop
from scripts.devstack.stack import Stack
from scripts.devstack.state import reset, state_dir


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["chalice-local"]:
        return api_child_main(argv[1:])
    if argv[:1] == ["exec"]:
        return exec_child_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dir", help="where dev.json goes (default: $DEV_STATE_DIR or .local)")
    parser.add_argument("--strict-ports", action="store_true",
                        help="fail if a preferred port is taken (also STRICT_PORTS=1)")
    parser.add_argument("--reset", action="store_true", help="remove the state directory and exit")
    args = parser.parse_args(argv)
    ensure_standard_streams()
    environ = dict(os.environ)
    directory = state_dir(environ, args.state_dir)
    if args.reset:
        return reset(directory)

    signals = Signals()
    signals.install()
    strict = args.strict_ports or environ.get("STRICT_PORTS", "").strip() not in ("", "0")
    stack = Stack(environ, directory, signals, strict_ports=strict, started=STARTED)
    try:
        code = run(stack, signals)
    except Stop as stop:  # the first signal arrived while a failure was being reported
        say("Stopping (%s)..." % stop)
        code = 1
    finally:
        signals.stopping()
        stopped = stack.stop()
        if stopped:
            say("Stopped: %s." % ", ".join(stopped))
    return code


def run(stack, signals):
    """Start the stack and run it until a stop signal (exit code 0) or a
    failure (1). From the first signal or failure on, signals are only
    counted (`signals.stopping()`), so a second Ctrl-C or SIGTERM does not
    interrupt the stopping."""
    try:
        stack.start()
        stack.run_until_stopped()
    except Stop as stop:
        signals.stopping()
        say("Stopping (%s)..." % stop)
        return 0
    except (Failure, dev_frontend.FrontendError) as failure:
        signals.stopping()
        warn("make dev: %s" % failure)
        return 1
    except Exception as error:  # an unexpected failure still stops every process
        signals.stopping()
        warn("make dev: unexpected error: %r" % error)
        import traceback
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    exit_code = main()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    # Emulator threads (e.g. a refill execution waiting out its period) must
    # not keep the process alive.
    os._exit(exit_code or 0)
