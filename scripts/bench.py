"""Benchmarks for the metered path. Prints figures; asserts nothing.

1. DynamoDB requests per metered call, counted with a botocore event hook
   (the app in-process on an emulator), with a low-balance alert and
   automatic top-up armed — target 1 — and for a call that crosses their
   threshold (chalicelib/credits/alerts.py) — target <= 2.
2. Median latency of POST /test vs GET /plans (unmetered) over HTTP on the
   local stack as `make dev` runs it (API, emulator and Stripe sandbox in
   their own processes) — target ratio <= 1.3.
3. Cold import of backend/app.py vs a bare Chalice app, fresh processes —
   target ratio <= 1.5.
4. DynamoDB requests and write units per metered call on an account with
   1, 3 and 10 API keys (cost_model.seeded_keys: some with rate limits), 90
   days of usage, an active subscription and a long email, from the real
   item's size (scripts/measure/item_size.py) — target 1 request always, 1
   write unit up to 3 keys.
5. The frontend bundle (scripts/measure/bundle_budget.py): gzip size of the
   JavaScript the pricing page loads — target <= 200 kB — and of the build.
6. A burst of 200 concurrent connections on the local stack
   (scripts/measure/burst.py): requests answered, resets and time-outs on
   GET /plans, GET /user and POST /test — target: every request answered.
"""
import compileall
import contextlib
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time


from scripts import BACKEND, ROOT
from scripts.devstack import emulator
from scripts.measure import bundle_budget, burst

CALLS = 300
BLOCK = 25
CROSSINGS = 20
ARMED_AT = 500_000  # the alert's and the top-up's threshold on the bench account
IMPORT_RUNS = 15
PASSWORD = "bench-pass-1"


# 1. DynamoDB requests per metered call -----------------------------------------

def dynamodb_requests_per_call():
    """Requests per metered call through the app's routes, counted on every
    DynamoDB client the app uses (the emulator runs in this process)."""
    from chalice.test import Client

    from scripts.measure import dynamodb_meter

    os.environ.setdefault("ROUTE_COSTS", '{"/test": 1, "/test/heavy": 5}')
    key = funded_key_in_process()
    import app as app_module

    from chalicelib.platform.models import Account

    def set_balance(credits):
        Account("bench-user").update(actions=[Account.credits.set(credits)])

    # Armed, not crossed: the balance (1,000,000) is far above the thresholds.
    Account("bench-user").update(actions=[Account.thresholds.low_balance.set(ARMED_AT),
                                          Account.thresholds.top_up.set(ARMED_AT)])
    with Client(app_module.app, stage_name="local", project_dir=BACKEND) as client:
        client.http.post("/test", headers={"x-api-key": key})  # warm the clients
        meter = dynamodb_meter.attached_to_app()
        with meter.measure() as tally:
            for _ in range(CALLS):
                assert client.http.post("/test", headers={"x-api-key": key}).status_code == 200
        crossing_requests = 0
        for _ in range(CROSSINGS):  # each call takes the balance from the threshold to just below it
            set_balance(ARMED_AT)
            with meter.measure() as crossing:
                assert client.http.post("/test", headers={"x-api-key": key}).status_code == 200
            crossing_requests += crossing.requests
        meter.detach()
    return tally.requests / CALLS, crossing_requests / CROSSINGS


def funded_key_in_process():
    from chalicelib import accounts, keys
    from chalicelib.credits.balances import Credits

    account = accounts.registry().provision("bench-user", "bench@example.com")
    key = keys.api_keys().rotate_first(account)
    Credits().add_purchased("bench-user", 1_000_000, "bench:credits", "purchase", "benchmark")
    return key


# 2. Latency on the local stack ---------------------------------------------------

def start_dev_stack(state_dir):
    env = dict(os.environ, DEV_STATE_DIR=state_dir, API_PORT="0", MOTO_SERVER_PORT="0",
               STRIPE_SANDBOX_PORT="0", DEV_FRONTEND="off")
    env.pop("STRIPE_SECRET_KEY", None)
    process = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts", "dev.py")], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    path = os.path.join(state_dir, "dev.json")
    deadline = time.time() + 120
    while not os.path.exists(path):
        if process.poll() is not None or time.time() > deadline:
            raise SystemExit("make dev did not come up (see `make dev` output)")
        time.sleep(0.2)
    time.sleep(0.2)
    with open(path) as handle:
        return process, json.load(handle)


def funded_key_on_stack(config, session):
    """A user signed up in the emulator; credits topped up directly in the
    table (set-up only, not the path being measured)."""
    import boto3

    os.environ.update(emulator.FAKE_CREDENTIALS, AWS_ENDPOINT_URL=config["aws_endpoint_url"],
                      REGION=config["region"])
    emulator.sign_up("bench@example.com", PASSWORD, config["user_pool_client_id"])
    token = emulator.sign_in("bench@example.com", PASSWORD, config["user_pool_client_id"])
    key = session.post(config["api_url"] + "/generate-key", headers={"Authorization": token}).json()["key"]
    user = session.get(config["api_url"] + "/user", headers={"Authorization": token}).json()["user"]
    dynamodb = boto3.client("dynamodb", endpoint_url=config["aws_endpoint_url"], region_name=config["region"])
    dynamodb.update_item(TableName=os.environ.get("ACCOUNTS_TABLE", "credits-saas-accounts"),
                         Key={"user_id": {"S": user["id"]}},
                         UpdateExpression="SET credits = :many", ExpressionAttributeValues={":many": {"N": "1000000"}})
    return key, user["id"]


def median_ms(*operations):
    """Each operation's median time in ms, the operations called in turn, in
    blocks of BLOCK calls, so that all of them meet the same background work
    (the stack's stream poller, refill executions): one after the other, the
    ratio of two medians swung between 1.19 and 1.39 from run to run."""
    timings = [[] for _ in operations]
    for _ in range(CALLS // BLOCK):
        for operation, times in zip(operations, timings):
            for _ in range(BLOCK):
                start = time.perf_counter()
                operation()
                times.append(time.perf_counter() - start)
    return [statistics.median(times) * 1000 for times in timings]


def latencies():
    import requests

    with tempfile.TemporaryDirectory() as state_dir:
        process, config = start_dev_stack(state_dir)
        try:
            session = requests.Session()
            key, _ = funded_key_on_stack(config, session)
            api = config["api_url"]

            def metered():
                assert session.post(api + "/test", headers={"x-api-key": key}).status_code == 200

            def unmetered():
                assert session.get(api + "/plans").status_code == 200

            metered(), unmetered()
            return (*median_ms(metered, unmetered), burst.report(api))
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


# 3. Cold import --------------------------------------------------------------------

# Run in the app's directory: `python -c` looks there first, so the probe
# times that directory's app.py (the bench's bare app, or the real one).
IMPORT_PROBE = "import time; start = time.perf_counter(); import app; print(time.perf_counter() - start)"


def cold_import_seconds(directory):
    """The median time to import `directory`'s app.py in a fresh interpreter,
    from compiled bytecode as the Lambda package ships it (scripts/deploy/
    package.py), so the figure is the import's own work, not compiling."""
    compileall.compile_dir(directory, quiet=1)
    env = dict(os.environ, AUTH_MODE="apigateway")
    runs = []
    for _ in range(IMPORT_RUNS):
        output = subprocess.check_output([sys.executable, "-c", IMPORT_PROBE], env=env, cwd=directory)
        runs.append(float(output.decode().strip().splitlines()[-1]))
    return statistics.median(runs)


# 4. Write units per metered call after 90 days of use ----------------------------

KEY_COUNTS = (1, 3, 10)


def write_units_after_90_days(key_counts=KEY_COUNTS):
    """{keys: (requests, write units of one metered call, account item bytes)}."""
    from chalicelib.credits.balances import Credits
    from chalicelib.platform import settings
    from scripts.measure import cost_model, dynamodb_meter, item_size

    figures = {}
    for count in key_counts + ("team",):
        if count == "team":  # a team organisation's key: its owner's member, 3 keys
            user_id, key_hash = cost_model.seeded_account(keys=3, team=True)
        else:
            user_id, key_hash = cost_model.seeded_account(keys=count)
        meter = dynamodb_meter.attached_to_app()
        with meter.measure() as tally:
            Credits().spend(user_id, key_hash, 1)
        meter.detach()
        item = dynamodb_meter.emulator_item(settings.accounts_table(), {"user_id": {"S": user_id}})
        figures[count] = (tally.requests, tally.write_units, item_size.item_size(item))
    return figures


def in_process_figures():
    """The figures measured on an emulator in this process, one for both."""
    server, url = emulator.start_moto()
    try:
        emulator.point_environment_at(url, "us-east-1")
        emulator.create_tables()
        emulator.configure_auth(*emulator.create_user_pool()[:2])
        return dynamodb_requests_per_call(), write_units_after_90_days()
    finally:
        server.stop()


def main():
    # The app runs in this process for these two: its JSON log and metric
    # lines (one each per call) would bury the figures.
    with contextlib.redirect_stdout(io.StringIO()):
        (requests_per_call, requests_per_crossing), per_key_count = in_process_figures()
    metered, unmetered, burst_lines = latencies()
    with tempfile.TemporaryDirectory() as bare:
        with open(os.path.join(bare, "app.py"), "w") as handle:
            handle.write("from chalice import Chalice\napp = Chalice(app_name='bare')\n")
        bare_import = cold_import_seconds(bare)
    app_import = cold_import_seconds(BACKEND)

    print("DynamoDB requests per metered call, alert and auto top-up armed, no threshold crossed: %.2f "
          "(target 1)" % requests_per_call)
    print("DynamoDB requests per metered call that crosses the alert's and top-up's threshold: %.2f "
          "(target <= 2)" % requests_per_crossing)
    team_figures = per_key_count.pop("team")
    for count, (requests, write_units, account_bytes) in per_key_count.items():
        print("Metered call, %2d API key%s, 90 days of use: %d DynamoDB request, %d write unit%s "
              "(account item %d bytes; target 1 request%s)" % (
                  count, " " if count == 1 else "s", requests, write_units, "" if write_units == 1 else "s",
                  account_bytes, ", 1 write unit" if count <= 3 else ""))
    print("Metered call with a team organisation's key (3 keys, 90 days of use): %d DynamoDB request, "
          "%d write unit%s (account item %d bytes; target 1 request, 1 write unit)"
          % (team_figures[0], team_figures[1], "" if team_figures[1] == 1 else "s", team_figures[2]))
    print("Median latency on the local stack: POST /test %.2f ms, GET /plans (unmetered) %.2f ms; "
          "ratio %.2f (target <= 1.3)" % (metered, unmetered, metered / unmetered))
    print("Cold import: backend/app.py %.1f ms, bare Chalice app %.1f ms; ratio %.2f (target <= 1.5)"
          % (app_import * 1000, bare_import * 1000, app_import / bare_import))
    for line in bundle_budget.report() + burst_lines:
        print(line)


if __name__ == "__main__":
    main()
