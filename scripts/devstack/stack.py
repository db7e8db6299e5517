"""The stack `make dev` runs: starts the emulator, the Stripe sandbox (or
real test mode), the API and the frontend, writes dev.json, watches the
children, and stops everything it started."""
import contextlib
import json
import os
import threading
import time

from scripts.devstack import emulator, inbox
from scripts.devstack import frontend as dev_frontend
from scripts.devstack.api_process import DEV_SCRIPT, ApiProcess
from scripts.devstack.errors import Failure
from scripts.devstack.output import say, warn
from scripts.devstack.ports import HOST, choose_ports
from scripts.devstack.readiness import Background, http_status, wait_until
from scripts.devstack.settings import (
    APP_VARIABLES, DEFAULT_FRONTEND_ORIGIN, REAL_STRIPE_API, REGION, STAGE, STARTUP_TIMEOUT_SECONDS,
    chalice_stage_variables, refill_period, stripe_settings)
from scripts.devstack.state import running_stack, write_json_atomically
from scripts.devstack.summary import print_summary


class Stack:
    """One run of `make dev`: `start()`, `run_until_stopped()`, `stop()`."""

    def __init__(self, environ, state_directory, signals, strict_ports=False, started=None):
        self.environ = environ
        self.started = time.monotonic() if started is None else started
        self.directory = state_directory
        self.config_path = os.path.join(state_directory, "dev.json")
        self.signals = signals
        self.strict_ports = strict_ports
        self.moto = None
        self.inbox = None
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
                                                   self.signals.deferred, DEV_SCRIPT)
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
        emulator.point_environment_at(aws_url, REGION)
        self.inbox = inbox.InboxServer(HOST, ports["inbox"]).start()  # what the emulator's SES accepted
        # The emulator's first state machine takes seconds (it loads its ASL
        # parser): it is created while everything else starts, under the
        # ARN Step Functions gives it, which the API is told in advance.
        sfn = emulator.boto_client("stepfunctions")
        for service in ("sns", "sqs", "cognito-idp"):
            # Loaded here once: boto3's default session is not made for two
            # threads creating their first clients at the same time.
            emulator.boto_client(service)
        machine = Background("create the refill state machine", lambda: self._create_state_machine(sfn))
        pool_id, client_id, pool_arn = emulator.create_user_pool()
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
        emulator.create_tables()
        emulator.create_email_identity()
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

        ready_seconds = round(time.monotonic() - self.started, 2)
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
            "inbox_url": self.inbox.url,
            "free_refill_period_seconds": self._effective_refill_period(period),
            "ports": ports,
            "processes": {"dev": os.getpid(), "api": self.api.pid},
        }
        if self.frontend.pid:
            self.config["processes"]["frontend"] = self.frontend.pid
        write_json_atomically(self.config_path, self.config)
        self._wrote_config = True
        print_summary(self.config, stripe, self.config_path, self.directory, self.frontend)
        return self.config

    def _start_moto(self, port):
        """The moto server in this process (state-machine execution on,
        MOTO_PORT set); a bind failure is reported, not waited on forever."""
        result = {}

        def run():
            try:
                result["server"], result["url"] = emulator.start_moto(port=port, host=HOST)
            except BaseException as error:  # reported below
                result["error"] = error

        thread = threading.Thread(target=run, name="moto-start", daemon=True)
        thread.start()
        thread.join(30)
        if "server" in result:
            self.moto = result["server"]
            return result["url"]
        if isinstance(result.get("error"), Failure):  # e.g. an emulator patch outdated by a moto upgrade
            raise result["error"]
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
        from scripts.devstack.stripe import StripeSandbox
        try:
            self.sandbox = StripeSandbox(HOST, port, None, webhook_secret).start()
        except OSError as error:
            raise Failure("The Stripe sandbox could not start on port %d: %s" % (port, error))
        return self.sandbox.url

    def _api_environment(self, aws_url, pool_id, client_id, state_machine_arn, stripe,
                         stripe_api_base, period, frontend):
        environ = {name: value for name, value in self.environ.items() if name not in APP_VARIABLES}
        environ.update(emulator.FAKE_CREDENTIALS)
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
        from chalicelib.billing import stripe_client  # the app's libraries: not needed by `make reset`
        from scripts.catalog.products import ProductsError, load_plans
        from scripts.catalog.sync import SyncError, sync

        lines = []
        try:
            plans = load_plans()
            sync(plans, stripe_client.build(), out=lines.append)
        except (ProductsError, SyncError) as error:
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
        if self.inbox is not None:  # a view of the emulator's SES: it goes with the emulator
            with contextlib.suppress(Exception):
                self.inbox.stop()
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

def _thread_alive(server):
    thread = getattr(server, "_thread", None)
    return thread is None or thread.is_alive()
