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
- the frontend (scripts/dev_frontend.py): the Vite dev server, a child
  process, or the built app in frontend/dist; its /config.json is written to
  the state directory.

When everything answers it writes `.local/dev.json` (the URLs, ids and
secrets clients need) and prints the URLs. Ctrl-C, SIGTERM or SIGHUP stops
everything it started; if the API process dies, everything stops and the exit
code is 1. It never reads stdin, so it runs the same in CI or in the
background. See docs/local-stack.md.

    python scripts/dev.py             # what `make dev` runs
    python scripts/dev.py --reset     # what `make reset` runs: remove .local/

Environment (all optional):
    API_PORT, MOTO_SERVER_PORT, STRIPE_SANDBOX_PORT
                         preferred ports (default 8000, 5000, 12111); a taken
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
"""
import time

STARTED = time.monotonic()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKEND = os.path.join(ROOT, "backend")
for _path in (ROOT, BACKEND):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from scripts import dev_frontend  # noqa: E402
from scripts.child_process import STOP_TIMEOUT_SECONDS, ChildProcess  # noqa: E402,F401

HOST = "127.0.0.1"
STAGE = "local"
REGION = "us-east-1"
DEFAULT_STATE_DIR = os.path.join(ROOT, ".local")
DEFAULT_FRONTEND_ORIGIN = "http://localhost:5173"
DEFAULT_REFILL_PERIOD_SECONDS = 604800
SANDBOX_SECRET_KEY = "sk_test_local_sandbox"
REAL_STRIPE_API = "https://api.stripe.com"
STARTUP_TIMEOUT_SECONDS = 60

# name -> (label, environment variable, default port)
PORTS = {
    "api": ("API", "API_PORT", 8000),
    "moto": ("AWS emulator", "MOTO_SERVER_PORT", 5000),
    "stripe": ("Stripe sandbox", "STRIPE_SANDBOX_PORT", 12111),
}

# Settings of the app that a stale shell (or a test run) may hold; the API
# process gets exactly the values of this stack.
APP_VARIABLES = (
    "AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "USER_POOL_ID", "USER_POOL_CLIENT_ID",
    "USER_POOL_ARN", "COGNITO_ISSUER", "COGNITO_JWKS_URL", "REFILL_STATE_MACHINE_ARN",
    "REFILL_ALERT_TOPIC_ARN", "STRIPE_API_BASE", "AUTH_MODE",
)


class Failure(Exception):
    """Startup or a child process failed; the message says what to do."""


class Stop(BaseException):
    """A stop signal arrived (a BaseException so that no library swallows it)."""


# Output ---------------------------------------------------------------------

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


# Signals --------------------------------------------------------------------

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


# Ports ----------------------------------------------------------------------

def port_available(port, host=HOST):
    """Nothing listens on the port: a server could bind it now (a port in
    TIME_WAIT after a previous run counts as available, as for the servers,
    which all set SO_REUSEADDR)."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def any_free_port(host=HOST):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def choose_ports(environ, strict=False, extra=None):
    """{name: port} for PORTS and `extra` (more of the same shape). A
    preferred port that is taken is replaced by a free one (the change is
    printed) or, with `strict`, is an error naming it."""
    chosen, notes = {}, []
    for name, (label, variable, default) in dict(PORTS, **(extra or {})).items():
        raw = environ.get(variable, "").strip()
        try:
            wanted = int(raw) if raw else default
            if not 0 <= wanted <= 65535:
                raise ValueError
        except ValueError:
            raise Failure("%s=%r is not a port number." % (variable, raw))
        port = wanted
        if port == 0 or port in chosen.values() or not port_available(port):
            if port and strict:
                raise Failure("Port %d (%s, %s) is taken. Stop whatever listens there, or set %s "
                              "to another port (0 = any free port)." % (port, label, variable, variable))
            while True:
                port = any_free_port()
                if port not in chosen.values():
                    break
            if wanted:
                notes.append("Port %d (%s) is taken; using %d instead (set %s to choose)."
                             % (wanted, label, port, variable))
        chosen[name] = port
    return chosen, notes


# Settings ---------------------------------------------------------------------

def chalice_stage_variables(stage=STAGE):
    """The environment variables backend/.chalice/config.json gives `stage`."""
    with open(os.path.join(BACKEND, ".chalice", "config.json")) as handle:
        config = json.load(handle)
    variables = dict(config.get("environment_variables", {}))
    variables.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    return variables


def refill_period(environ):
    raw = environ.get("FREE_REFILL_PERIOD_SECONDS", "").strip()
    if not raw:
        return DEFAULT_REFILL_PERIOD_SECONDS
    try:
        value = int(raw)
        if value <= 0:
            raise ValueError
    except ValueError:
        raise Failure("FREE_REFILL_PERIOD_SECONDS=%r must be a positive number of seconds." % raw)
    return value


def stripe_settings(environ):
    """How this run talks to Stripe: the offline sandbox, or real test mode
    when STRIPE_SECRET_KEY is set."""
    key = environ.get("STRIPE_SECRET_KEY", "").strip()
    if not key:
        return {"mode": "sandbox", "secret_key": SANDBOX_SECRET_KEY,
                "webhook_secret": "whsec_" + secrets.token_hex(24)}
    if not key.startswith(("sk_test_", "rk_test_")):
        raise Failure("STRIPE_SECRET_KEY is not a test-mode key (sk_test_... or rk_test_...); "
                      "the local stack never uses live keys.")
    return {"mode": "stripe", "secret_key": key,
            "api_base": environ.get("STRIPE_API_BASE", "").strip() or None,
            "webhook_secret": environ.get("STRIPE_WEBHOOK_SECRET", "").strip() or None}


# State directory -------------------------------------------------------------

def state_dir(environ, override=None):
    return os.path.abspath(override or environ.get("DEV_STATE_DIR") or DEFAULT_STATE_DIR)


def running_stack(path):
    """The dev.json of a stack that is still running, else None."""
    try:
        with open(path) as handle:
            config = json.load(handle)
    except (OSError, ValueError):
        return None
    pid = config.get("pid")
    if not isinstance(pid, int) or pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return config
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            if b"dev.py" not in handle.read():
                return None  # the pid was reused by something else
    except OSError:
        pass
    return config


def write_json_atomically(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(temporary, path)


def reset(directory):
    """`make reset`: forget everything under the state directory."""
    config_path = os.path.join(directory, "dev.json")
    running = running_stack(config_path)
    if running:
        warn("make dev is running (pid %s, API %s); stop it first (Ctrl-C), then reset."
             % (running.get("pid"), running.get("api_url")))
        return 1
    if os.path.isdir(directory):
        shutil.rmtree(directory)
        say("Removed %s. The next `make dev` starts from an empty stack." % relative(directory))
    else:
        say("Nothing to reset: %s does not exist." % relative(directory))
    return 0


# The API process ---------------------------------------------------------------

def api_child_main(argv):
    """`dev.py chalice-local PARENT_PID ARGS...`: run `chalice ARGS` in this
    process, which ends when its parent does (Linux), even if the parent is
    killed with SIGKILL and cannot clean up."""
    parent = int(argv[0])
    set_parent_death_signal()
    if os.getppid() != parent:
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    from chalice import local
    from chalice.cli import main

    # `chalice local` writes each header line separately; with Nagle on, a
    # keep-alive client's delayed ACK adds ~40 ms to every response.
    local.ChaliceRequestHandler.disable_nagle_algorithm = True
    sys.argv = ["chalice"] + argv[1:]
    return main()


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
        command = [sys.executable, os.path.abspath(__file__), "chalice-local", str(os.getpid()),
                   "local", "--stage", STAGE, "--host", HOST, "--port", str(port), "--no-autoreload"]
        super().__init__(command, BACKEND, environ, "api | ", say)


# Readiness ----------------------------------------------------------------------

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


# The stack ----------------------------------------------------------------------

class Stack:
    def __init__(self, environ, state_directory, signals, strict_ports=False):
        self.environ = environ
        self.directory = state_directory
        self.config_path = os.path.join(state_directory, "dev.json")
        self.signals = signals
        self.strict_ports = strict_ports
        self.moto = None
        self.sandbox = None
        self.api = None
        self.frontend = None
        self.config = None
        self._wrote_config = False

    # Start -------------------------------------------------------------------

    def start(self):
        running = running_stack(self.config_path)
        if running:
            raise Failure("Another make dev is already running (pid %s, API %s). Stop it first, or set "
                          "DEV_STATE_DIR to run a second stack." % (running.get("pid"), running.get("api_url")))
        period = refill_period(self.environ)
        stripe = stripe_settings(self.environ)
        frontend = self.environ.get("FRONTEND_ORIGIN", "").strip() or DEFAULT_FRONTEND_ORIGIN
        self.frontend = dev_frontend.LocalFrontend(self.environ, self.directory, say,
                                                   self.signals.deferred, os.path.abspath(__file__))
        ports, notes = choose_ports(self.environ, strict=self.strict_ports,
                                    extra=self.frontend.port_spec(frontend))
        for note in notes:
            say(note)
        if self.frontend.served:
            frontend = dev_frontend.with_port(frontend, ports["frontend"])
            self.frontend.install()
        api_url = "http://%s:%d" % (HOST, ports["api"])
        webhook_url = api_url + "/stripe/webhook"

        # This process talks to the emulator with the stack's settings.
        stage_variables = chalice_stage_variables()
        for name in APP_VARIABLES:
            os.environ.pop(name, None)
        for name, value in stage_variables.items():
            os.environ[name] = value
        os.environ["FREE_REFILL_PERIOD_SECONDS"] = str(period)
        os.environ["FRONTEND_ORIGIN"] = frontend

        say("Starting the AWS emulator (moto) on port %d..." % ports["moto"])
        aws_url = self._start_moto(ports["moto"])
        from scripts import local_stack
        local_stack.point_environment_at(aws_url, REGION)
        # The emulator's first state machine takes seconds (it loads its ASL
        # parser): it is created while everything else starts, under the
        # ARN Step Functions gives it, which the API is told in advance.
        sfn = local_stack.boto_client("stepfunctions")
        for service in ("sns", "sqs", "cognito-idp"):
            # Loaded here once: boto3's default session is not made for two
            # threads creating their first clients at the same time.
            local_stack.boto_client(service)
        machine = Background("create the refill state machine", lambda: self._create_state_machine(sfn))
        pool_id, client_id, pool_arn = local_stack.create_user_pool()
        state_machine_arn = self._state_machine_arn(pool_arn)

        if stripe["mode"] == "sandbox":
            stripe_api_base = "http://%s:%d" % (HOST, ports["stripe"])
        else:
            stripe_api_base = stripe["api_base"]
        os.environ["STRIPE_SECRET_KEY"] = stripe["secret_key"]
        if stripe_api_base:
            os.environ["STRIPE_API_BASE"] = stripe_api_base
        if stripe["webhook_secret"]:
            os.environ["STRIPE_WEBHOOK_SECRET"] = stripe["webhook_secret"]
        else:
            os.environ.pop("STRIPE_WEBHOOK_SECRET", None)

        # The API boots while this process creates the tables and syncs products.
        say("Starting the API (chalice local, stage %s) on port %d..." % (STAGE, ports["api"]))
        api_environment = self._api_environment(aws_url, pool_id, client_id, state_machine_arn,
                                                 stripe, stripe_api_base, period, frontend)
        with self.signals.deferred():
            self.api = ApiProcess(ports["api"], api_environment).start()
        if self.frontend.served:
            self.frontend.start(HOST, ports["frontend"], dev_frontend.runtime_config(
                api_url, REGION, pool_id, client_id, aws_url, STAGE))
        if stripe["mode"] == "sandbox":
            say("Starting the Stripe sandbox on port %d..." % ports["stripe"])
            self._start_sandbox(ports["stripe"], stripe["webhook_secret"])
        local_stack.create_tables()
        self._sync_products()
        created = machine.result(timeout=STARTUP_TIMEOUT_SECONDS)
        if created != state_machine_arn:
            raise Failure("The refill state machine was created as %s, not %s as the API was told."
                          % (created, state_machine_arn))

        wait_until("The AWS emulator", lambda: http_status(aws_url + "/moto-api/") == 200,
                   check=self.check_alive)
        if self.sandbox is not None:
            wait_until("The Stripe sandbox",
                       lambda: http_status(stripe_api_base + "/_sandbox/health") == 200,
                       check=self.check_alive)
        wait_until("The API (GET /plans)", lambda: http_status(api_url + "/plans") == 200,
                   check=self.check_alive)
        if self.frontend.served:
            local_url = "http://%s:%d" % (HOST, ports["frontend"])
            wait_until("The frontend", lambda: http_status(local_url + "/config.json") == 200,
                       check=self.check_alive)
        if self.sandbox is not None:
            # Forward from now on, like `stripe listen`: the sync's product and
            # price events, sent while the API was starting, are not needed.
            self.sandbox.set_webhook(webhook_url, stripe["webhook_secret"])

        ready_seconds = round(time.monotonic() - STARTED, 2)
        self.config = {
            "pid": os.getpid(),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "ready_seconds": ready_seconds,
            "stage": STAGE,
            "api_url": api_url,
            "aws_endpoint_url": aws_url,
            "region": REGION,
            "user_pool_id": pool_id,
            "user_pool_client_id": client_id,
            "user_pool_arn": pool_arn,
            "state_machine_arn": state_machine_arn,
            "stripe_mode": stripe["mode"],
            "stripe_api_base": stripe_api_base or REAL_STRIPE_API,
            "stripe_webhook_secret": stripe["webhook_secret"],
            "stripe_webhook_url": webhook_url,
            "frontend_url": frontend,
            "frontend_mode": self.frontend.mode,
            "free_refill_period_seconds": self._effective_refill_period(period),
            "ports": ports,
            "processes": {"dev": os.getpid(), "api": self.api.pid},
        }
        if self.frontend.pid:
            self.config["processes"]["frontend"] = self.frontend.pid
        write_json_atomically(self.config_path, self.config)
        self._wrote_config = True
        self._print_summary(stripe)
        return self.config

    def _start_moto(self, port):
        """The moto server in this process (state-machine execution on,
        MOTO_PORT set); a bind failure is reported, not waited on forever."""
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        from scripts import local_stack

        result = {}

        def run():
            try:
                result["server"], result["url"] = local_stack.start_moto(port=port, host=HOST)
            except BaseException as error:  # reported below
                result["error"] = error

        thread = threading.Thread(target=run, name="moto-start", daemon=True)
        thread.start()
        thread.join(30)
        if "server" in result:
            self.moto = result["server"]
            return result["url"]
        if "error" in result:
            raise Failure("The AWS emulator could not start on port %d: %s" % (port, result["error"]))
        raise Failure("The AWS emulator did not start on port %d within 30 s "
                      "(is the port taken?)." % port)

    @staticmethod
    def _statemachine_module():
        try:
            from scripts import statemachine
        except ImportError:
            return None
        return statemachine

    def _state_machine_arn(self, pool_arn):
        """Step Functions' ARN for the refill state machine, in the pool's
        region and account; None when this checkout has no state machine yet."""
        statemachine = self._statemachine_module()
        if statemachine is None:
            say("No scripts/statemachine.py: Free refills are off on this stack.")
            return None
        _, _, _, region, account = pool_arn.split(":")[:5]
        return "arn:aws:states:%s:%s:stateMachine:%s" % (region, account, statemachine.DEFAULT_NAME)

    def _create_state_machine(self, sfn_client):
        statemachine = self._statemachine_module()
        if statemachine is None:
            return None
        return statemachine.create_state_machine(sfn_client)

    def _start_sandbox(self, port, webhook_secret):
        from scripts.stripe_sandbox import StripeSandbox
        try:
            self.sandbox = StripeSandbox(HOST, port, None, webhook_secret).start()
        except OSError as error:
            raise Failure("The Stripe sandbox could not start on port %d: %s" % (port, error))
        return self.sandbox.url

    def _api_environment(self, aws_url, pool_id, client_id, state_machine_arn, stripe,
                         stripe_api_base, period, frontend):
        from scripts import local_stack
        environ = {name: value for name, value in self.environ.items() if name not in APP_VARIABLES}
        environ.update(local_stack.FAKE_CREDENTIALS)
        environ.update({
            "AWS_ENDPOINT_URL": aws_url,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "REGION": REGION,
            "USER_POOL_ID": pool_id,
            "USER_POOL_CLIENT_ID": client_id,
            "STRIPE_SECRET_KEY": stripe["secret_key"],
            "FREE_REFILL_PERIOD_SECONDS": str(period),
            "FRONTEND_ORIGIN": frontend,
            "PYTHONUNBUFFERED": "1",
        })
        if state_machine_arn:
            environ["REFILL_STATE_MACHINE_ARN"] = state_machine_arn
        if os.environ.get("REFILL_ALERT_TOPIC_ARN"):
            environ["REFILL_ALERT_TOPIC_ARN"] = os.environ["REFILL_ALERT_TOPIC_ARN"]
        if stripe_api_base:
            environ["STRIPE_API_BASE"] = stripe_api_base
        if stripe["webhook_secret"]:
            environ["STRIPE_WEBHOOK_SECRET"] = stripe["webhook_secret"]
        else:
            environ.pop("STRIPE_WEBHOOK_SECRET", None)
        self._warn_about_config_overrides(environ)
        return environ

    @staticmethod
    def _effective_refill_period(period):
        """The period the API really uses (config.json wins over the environment)."""
        configured = chalice_stage_variables().get("FREE_REFILL_PERIOD_SECONDS")
        try:
            return int(configured) if configured else period
        except ValueError:
            return period

    def _warn_about_config_overrides(self, environ):
        """`chalice local` applies config.json's variables over the process
        environment; say so when that hides a value set for this run."""
        overridden = chalice_stage_variables()
        for name in ("FREE_REFILL_PERIOD_SECONDS", "FRONTEND_ORIGIN", "CHECKOUT_SUCCESS_URL",
                     "CHECKOUT_CANCEL_URL", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"):
            if name in overridden and name in environ and overridden[name] != environ[name]:
                warn("Note: backend/.chalice/config.json sets %s=%s for stage %s, which overrides "
                     "%s=%s in the API process." % (name, overridden[name], STAGE, name, environ[name]))

    def _sync_products(self):
        try:
            from scripts import sync_products
        except ImportError:
            say("No scripts/sync_products.py: the product table stays empty.")
            return
        from chalicelib import stripe_client
        lines = []
        try:
            plans = sync_products.validate(sync_products.load(sync_products.DEFAULT_PRODUCTS))
            client = stripe_client.build()
            sync_products.sync(plans, client, out=lines.append)
        except (sync_products.ProductsError, sync_products.SyncError) as error:
            for line in lines:
                say("  " + line)
            raise Failure("Syncing products.json failed: %s" % error)
        say("Synced products.json (%s): %s" % (", ".join(plan["name"] for plan in plans),
                                               lines[-1] if lines else "done"))

    # Running -----------------------------------------------------------------

    def check_alive(self):
        if self.api is not None and self.api.exited():
            code = self.api.process.returncode
            tail = self.api.output_tail()
            raise Failure("The API process (chalice local) exited unexpectedly with code %s.%s"
                          % (code, ("\nIts last output:\n" + tail) if tail else ""))
        if self.moto is not None and not _thread_alive(self.moto):
            raise Failure("The AWS emulator (moto server) stopped unexpectedly.")
        if self.sandbox is not None and not _thread_alive(self.sandbox):
            raise Failure("The Stripe sandbox stopped unexpectedly.")
        if self.frontend is not None:
            self.frontend.check_alive()

    def run_until_stopped(self):
        while True:
            self.check_alive()
            time.sleep(0.5)

    # Stop --------------------------------------------------------------------

    def stop(self):
        stopped = self.frontend.stop() if self.frontend is not None else []
        for label, part in (("API", self.api), ("Stripe sandbox", self.sandbox), ("AWS emulator", self.moto)):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.stop()
                stopped.append(label)
        if self._wrote_config:
            with contextlib.suppress(OSError, ValueError):
                with open(self.config_path) as handle:
                    if json.load(handle).get("pid") == os.getpid():
                        os.remove(self.config_path)
        return stopped

    # Summary -------------------------------------------------------------------

    def _print_summary(self, stripe):
        c = self.config
        say("")
        say("Local stack ready in %.1f s" % c["ready_seconds"])
        say(self.frontend.banner(c["frontend_url"]))
        say("  API             %s  (chalice local, stage %s)" % (c["api_url"], STAGE))
        say("  AWS emulator    %s  (moto: DynamoDB, Cognito, Step Functions)" % c["aws_endpoint_url"])
        if stripe["mode"] == "sandbox":
            say("  Stripe sandbox  %s  (webhooks signed and sent to %s)"
                % (c["stripe_api_base"], c["stripe_webhook_url"]))
        else:
            say("  Stripe          %s  (test mode)" % c["stripe_api_base"])
        say("  User pool       %s, app client %s" % (c["user_pool_id"], c["user_pool_client_id"]))
        say("  Free refill     every %d s%s" % (c["free_refill_period_seconds"],
                                                "" if c["state_machine_arn"] else " (off: no state machine)"))
        say("  Settings        %s" % relative(self.config_path))
        say("The state lives in memory: stopping this forgets every user, key, credit and payment.")
        if stripe["mode"] != "sandbox":
            say("")
            say("Stripe test mode: forward its webhooks here with")
            say("  stripe listen --forward-to localhost:%d/stripe/webhook" % c["ports"]["api"])
            if not stripe["webhook_secret"]:
                warn("STRIPE_WEBHOOK_SECRET is not set, so the API rejects every webhook. Restart with "
                     "STRIPE_WEBHOOK_SECRET=$(stripe listen --print-secret).")
        api = c["api_url"]
        python = relative(sys.executable) if sys.executable.startswith(ROOT) else "python3"
        state_hint = "" if self.config_path == os.path.join(DEFAULT_STATE_DIR, "dev.json") else \
            "DEV_STATE_DIR=%s " % relative(self.directory)
        say("")
        say("Try it:")
        say("  curl -s %s/plans" % api)
        say("  %smake demo          # sign up, spend, buy, subscribe, renew, cancel" % state_hint)
        say("  TOKEN=$(%s%s scripts/demo.py token me@example.com)" % (state_hint, python))
        say('  curl -s -H "Authorization: $TOKEN" %s/user' % api)
        say('  KEY=$(curl -s -X POST -H "Authorization: $TOKEN" %s/generate-key | '
            "%s -c 'import json,sys; print(json.load(sys.stdin)[\"key\"])')" % (api, python))
        say('  curl -s -X POST -H "x-api-key: $KEY" %s/test' % api)
        say("Ctrl-C stops everything.")
        say("")


def _thread_alive(server):
    thread = getattr(server, "_thread", None)
    return thread is None or thread.is_alive()


# Entry point ---------------------------------------------------------------------

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
    stack = Stack(environ, directory, signals, strict_ports=strict)
    code = 0
    try:
        stack.start()
        stack.run_until_stopped()
    except Stop as stop:
        say("Stopping (%s)..." % stop)
    except (Failure, dev_frontend.FrontendError) as failure:
        warn("make dev: %s" % failure)
        code = 1
    except Exception as error:  # an unexpected failure still stops every process
        warn("make dev: unexpected error: %r" % error)
        import traceback
        traceback.print_exc()
        code = 1
    finally:
        signals.ignore()
        stopped = stack.stop()
        if stopped:
            say("Stopped: %s." % ", ".join(stopped))
    return code


if __name__ == "__main__":
    exit_code = main()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    # Emulator threads (e.g. a refill execution waiting out its period) must
    # not keep the process alive.
    os._exit(exit_code or 0)
