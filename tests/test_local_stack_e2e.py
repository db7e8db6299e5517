"""End to end: `scripts/dev.py` (what `make dev` runs) starts the whole stack
on free ports with its own state directory, so it never clashes with a
running `make dev`; `scripts/demo.py`'s walk runs against it; a stop signal
leaves no process and no port behind."""
import os
import shutil
import signal
import socket
import time
import warnings

import pytest
import requests

from dev_stack import (
    READY_TIMEOUT, REQUIRED_KEYS, DevStack, _cmdline, assert_stopped_cleanly, listening, process_exists,
)
from scripts import ROOT
from scripts.devstack.demo import run_demo
from scripts.devstack.readiness import http_status
from scripts.devstack.settings import (
    DEFAULT_FRONTEND_ORIGIN, DEFAULT_REFILL_PERIOD_SECONDS, chalice_stage_variables)
from scripts.measure import burst


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = DevStack(tmp_path_factory.mktemp("local-stack"))
    try:
        running.wait_ready()
        yield running
    finally:
        running.kill()


def test_stack_is_ready_and_described(stack):
    config = stack.config
    for key in REQUIRED_KEYS:
        assert key in config, "dev.json lacks %s" % key
    ports = config["ports"]
    assert len(set(ports.values())) == 4
    assert config["api_url"] == "http://127.0.0.1:%d" % ports["api"]
    assert config["stripe_mode"] == "sandbox"
    assert config["stripe_webhook_secret"].startswith("whsec_")
    assert config["stripe_webhook_url"] == config["api_url"] + "/stripe/webhook"
    assert config["frontend_url"] == os.environ.get("FRONTEND_ORIGIN", DEFAULT_FRONTEND_ORIGIN)
    assert config["free_refill_period_seconds"] == DEFAULT_REFILL_PERIOD_SECONDS
    assert http_status(config["api_url"] + "/plans") == 200
    assert http_status(config["stripe_api_base"] + "/_sandbox/health") == 200
    assert http_status(config["aws_endpoint_url"] + "/moto-api/") == 200
    output = stack.output()
    assert "Local stack ready in" in output
    assert config["api_url"] in output


def test_demo_full_walk(stack):
    """Sign up to back-to-Free, through the Stripe sandbox and the webhook.
    Every wait in run_demo is bounded: a missing webhook fails with the
    sandbox's delivery report instead of hanging."""
    lines = []
    seen = run_demo(stack.config, out=lines.append, webhook_timeout=30)
    assert seen["final"]["plan"] == "Free", "\n".join(lines)
    assert lines[-1].startswith("Done in"), "\n".join(lines)


def test_the_walk_s_console_is_quiet(stack):
    """The demo subscribed, which stops the user's Free refill inside its Map
    state: one line (scripts/devstack/emulator_noise.py), no dump, no traceback."""
    deadline = time.monotonic() + 30
    while "stopped inside its Map state" not in stack.output():
        assert time.monotonic() < deadline, stack.output()[-3000:]
        time.sleep(0.1)
    output = stack.output()
    assert "aws | Step Functions: execution refill-" in output
    assert "Traceback" not in output and "MapIterationAborted" not in output
    assert max(len(line) for line in output.splitlines()) < 2000


def test_the_api_process_answers_unknown_routes_and_methods_in_our_shape(stack):
    """scripts/devstack/local_gateway.py, installed by the API process (the
    app itself no longer does)."""
    api = stack.config["api_url"]
    response = requests.get(api + "/nowhere", timeout=10)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = requests.request("TRACE", api + "/plans", timeout=10)
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET"


@pytest.mark.parametrize("method,path", burst.ROUTES)
def test_a_burst_of_200_concurrent_connections_is_answered_in_full(stack, method, path):
    """Every request gets an HTTP answer: none is reset, none times out
    (scripts/devstack/local_server.py: the listen backlog)."""
    result = burst.burst(stack.config["api_url"], method, path, connections=200)
    assert (result.resets, result.timeouts, dict(result.errors)) == (0, 0, {}), result.line()
    assert result.answered == result.requests == 200 * burst.REQUESTS_PER_CONNECTION, result.line()
    assert set(result.statuses) == {200 if path == "/plans" else 401}, result.statuses
    assert "Traceback" not in stack.output()


def test_the_inbox_shows_an_email_the_app_sent(stack):
    """A renewal fails (a sandbox control): the webhook records the email,
    the API process's stream poller sends it to the emulator's SES, and the
    inbox lists it, newest first, and shows it."""
    from scripts.devstack import demo

    config = stack.config
    email = "inbox-%d@example.com" % os.getpid()
    demo.sign_up(config, email)
    token = demo.sign_in(config, email)
    api = demo.Api(config["api_url"])
    api.call("GET", "/user", token=token)
    checkout = api.call("POST", "/checkout", token=token, body={"plan": "Basic", "subscribe": True})[1]
    demo.sandbox_post(config, "/_sandbox/checkout/%s/complete" % checkout["session_id"])
    subscription = wait_for(lambda: (api.call("GET", "/user", token=token)[1]["user"]["subscription"] or {}).get("id"))
    demo.sandbox_post(config, "/_sandbox/subscriptions/%s/fail_payment" % subscription)
    inbox_url = config["inbox_url"]
    mine = wait_for(lambda: [m for m in requests.get(inbox_url + "/messages", timeout=10).json()["messages"]
                             if m["to"] == email])
    assert [m["subject"] for m in mine] == ["Credits: Your Basic renewal payment failed"]
    assert mine[0]["text"] and mine[0]["html"] and mine[0]["sent_at"]
    page = requests.get(inbox_url, timeout=10)
    assert page.status_code == 200 and "Your Basic renewal payment failed" in page.text
    shown = requests.get(inbox_url + "/messages/" + mine[0]["id"], timeout=10)
    assert shown.status_code == 200 and "Pay the invoice" in shown.text
    assert "Inbox           " + inbox_url in stack.output()


def wait_for(value, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        found = value()
        if found:
            return found
        assert time.monotonic() < deadline, "not within %d s" % timeout
        time.sleep(0.25)


def test_sigterm_stops_everything(stack):
    config = stack.config
    assert process_exists(config["processes"]["api"])
    assert stack.stop(signal.SIGTERM) == 0, stack.output()[-3000:]
    assert "Stopped: API, Stripe sandbox, AWS emulator." in stack.output()
    banner = stack.output().split("Local stack ready in", 1)[1].splitlines()
    assert banner[1].split()[:2] == ["Frontend", config["frontend_url"]], banner  # listed first
    assert "not served" in banner[1]
    assert_stopped_cleanly(stack, config)


def api_processes_of(dev_pid):
    """Live API processes started by the dev.py with this pid."""
    marker = b"chalice-local\x00%d\x00" % dev_pid
    return [int(entry) for entry in os.listdir("/proc")
            if entry.isdigit() and marker in _cmdline(int(entry)) and process_exists(int(entry))]


def children_of(pid):
    """Live processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and process_exists(int(entry)):
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_same_signal_twice_stops_everything_quietly_with_exit_code_0(tmp_path, sig):
    """As when Ctrl-C is pressed twice, or `make` forwards the SIGTERM its
    process group got to make dev, which got it too."""
    running = DevStack(tmp_path / sig.name)
    try:
        config = running.wait_ready()
        children = children_of(running.process.pid)
        assert config["processes"]["api"] in children
        running.process.send_signal(sig)
        running.process.send_signal(sig)
        assert running.wait_exit() == 0, running.output()[-3000:]
        output = running.output()
        assert "Traceback" not in output, output[-3000:]
        assert "Stopping (%s)" % sig.name in output
        assert "Stopped: API, Stripe sandbox, AWS emulator." in output
        assert_stopped_cleanly(running, config)
        assert not [pid for pid in children if process_exists(pid)]
        assert not api_processes_of(running.process.pid)
    finally:
        running.kill()


@pytest.mark.skipif(not os.path.isdir("/proc") or not shutil.which("make"), reason="needs /proc and make")
def test_make_dev_sent_sigterm_twice_as_a_process_group_stops_quietly(tmp_path):
    """Stopping a CI job or a terminal session signals the whole group: make
    and make dev both get each SIGTERM, and make forwards its own to make dev
    too. make dev exits 0 (make reports no error); make itself then ends by the
    signal it got, as GNU make does."""
    running = DevStack(tmp_path / "make", command=["make", "--no-print-directory", "-s", "dev"],
                       MAKEFLAGS="", MAKELEVEL="")
    try:
        config = running.wait_ready()
        assert config["processes"]["dev"] != running.process.pid  # make, then make dev under it
        os.killpg(running.process.pid, signal.SIGTERM)
        os.killpg(running.process.pid, signal.SIGTERM)
        assert running.wait_exit() in (0, -signal.SIGTERM), running.output()[-3000:]
        output = running.output()
        assert "Traceback" not in output and "make: ***" not in output, output[-3000:]
        assert "Stopped: API, Stripe sandbox, AWS emulator." in output
        assert_stopped_cleanly(running, config)
    finally:
        running.kill()


def test_taken_port_is_replaced_and_ctrl_c_during_startup_stops(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        running = DevStack(tmp_path / "taken", API_PORT=str(port))
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while "Starting the API" not in running.output():
                assert running.process.poll() is None, running.output()
                assert time.monotonic() < deadline, running.output()
                time.sleep(0.05)
            output = running.output()
            assert "Port %d (API) is taken; using " % port in output, output
            replacement = int(output.split("Port %d (API) is taken; using " % port)[1].split()[0])
            assert replacement != port
            assert running.stop(signal.SIGINT) == 0, running.output()[-3000:]
            assert "Stopping (SIGINT)" in running.output()
            if os.path.isdir("/proc"):
                assert not api_processes_of(running.process.pid)
            assert not listening(replacement)
            assert not os.path.exists(running.config_path)
        finally:
            running.kill()


def test_strict_ports_fail_naming_the_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        running = DevStack(tmp_path / "strict", MOTO_SERVER_PORT=str(port), STRICT_PORTS="1")
        try:
            assert running.wait_exit(60) == 1
            output = running.output()
            assert "Port %d" % port in output and "MOTO_SERVER_PORT" in output, output
            assert not os.path.exists(running.config_path)
        finally:
            running.kill()


def _config_sets_refill_period():
    return "FREE_REFILL_PERIOD_SECONDS" in chalice_stage_variables()


REFILL_PERIOD = 3


def check_free_refill(config):
    """With FREE_REFILL_PERIOD_SECONDS=3 a Free user's spent credits come back
    within seconds (the refill state machine runs on the emulator)."""
    from scripts.devstack import demo

    email = "refill-%d@example.com" % os.getpid()
    demo.sign_up(config, email)
    token = demo.sign_in(config, email)
    api = demo.Api(config["api_url"])
    api.call("GET", "/user", token=token)
    key = api.call("POST", "/generate-key", token=token)[1]["key"]
    for _ in range(5):
        api.call("POST", "/test", api_key=key)
    deadline = time.monotonic() + REFILL_PERIOD * 4 + 20
    while True:
        refills = [entry for entry in api.call("GET", "/ledger", token=token)[1]["entries"]
                   if entry["kind"] == "refill"]
        user = api.call("GET", "/user", token=token)[1]["user"]
        if refills and user["plan_credits"] == 50:
            assert user["next_reset_at"], user  # the refill execution's next period
            return
        assert time.monotonic() < deadline, "no refill within the period: %s" % user
        time.sleep(0.5)


def test_short_refill_period_then_api_dying_stops_everything(tmp_path):
    running = DevStack(tmp_path / "dying", FREE_REFILL_PERIOD_SECONDS=str(REFILL_PERIOD))
    try:
        config = running.wait_ready()
        if _config_sets_refill_period():
            warnings.warn("backend/.chalice/config.json sets FREE_REFILL_PERIOD_SECONDS, which "
                          "overrides the environment in chalice local: refill check skipped")
        else:
            assert config["free_refill_period_seconds"] == REFILL_PERIOD
            check_free_refill(config)
        os.kill(config["processes"]["api"], signal.SIGKILL)
        assert running.wait_exit() == 1
        assert "exited unexpectedly" in running.output()
        assert_stopped_cleanly(running, config)
    finally:
        running.kill()


@pytest.mark.skipif(not os.path.isfile(os.path.join(ROOT, "frontend", "package.json")),
                    reason="no frontend/ in this checkout")
def test_vite_serves_the_frontend_on_the_origin_the_api_allows(tmp_path):
    """The frontend's preferred port is taken: Vite gets another one, and the
    API's CORS origin and dev.json's frontend_url follow it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        running = DevStack(tmp_path / "vite", DEV_FRONTEND="vite", FRONTEND_PORT=str(port),
                           FRONTEND_ORIGIN="http://localhost:5173")
        try:
            config = running.wait_ready()
            served = config["ports"]["frontend"]
            assert served != port and config["frontend_url"] == "http://localhost:%d" % served
            assert "Port %d (Frontend) is taken" % port in running.output()
            banner = running.output().split("Local stack ready in", 1)[1].splitlines()
            assert banner[1].split()[:2] == ["Frontend", config["frontend_url"]]

            settings = requests.get(config["frontend_url"] + "/config.json", timeout=10).json()
            assert settings["apiUrl"] == config["api_url"]
            assert settings["cognitoEndpoint"] == config["aws_endpoint_url"]
            assert settings["localEmulator"] is True
            assert requests.get(config["frontend_url"] + "/account", timeout=10).status_code == 200
            preflight = requests.options(config["api_url"] + "/checkout", timeout=10, headers={
                "Origin": config["frontend_url"], "Access-Control-Request-Method": "POST"})
            assert preflight.headers["Access-Control-Allow-Origin"] == config["frontend_url"]

            assert running.stop(signal.SIGTERM) == 0, running.output()[-3000:]
            assert "Stopped: frontend, API" in running.output()
            assert_stopped_cleanly(running, config)
            assert not os.path.exists(os.path.join(running.state_dir, "config.json"))
        finally:
            running.kill()
