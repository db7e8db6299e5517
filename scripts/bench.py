"""Benchmarks for the metered path. Prints figures; asserts nothing.

1. DynamoDB requests per metered call (botocore event hook) — target 1.
2. Median latency of POST /test vs GET /plans over HTTP on `chalice local` — target ratio <= 1.3.
3. Cold import of backend/app.py vs a bare Chalice app, fresh processes — target ratio <= 1.5.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "backend"))

from scripts import local_stack  # noqa: E402

CALLS = 300
IMPORT_RUNS = 15


def start_stack():
    os.environ.setdefault("ROUTE_COSTS", '{"/test": 1, "/test/heavy": 5}')
    server, url = local_stack.start_moto()
    local_stack.point_environment_at(url, "us-east-1")
    local_stack.create_tables()
    pool_id, client_id, _ = local_stack.create_user_pool()
    local_stack.configure_auth(pool_id, client_id)
    return server, client_id


def funded_key(client_id):
    from chalicelib import services
    from chalicelib.credits import Credits

    user_id = local_stack.sign_up("bench@example.com", "bench-pass-1", client_id)
    services.accounts().provision(user_id, "bench@example.com")
    key = services.accounts().regenerate_key(user_id)
    Credits().add_purchased(user_id, 1_000_000, "bench:credits", "purchase", "benchmark")
    return key


def serve(app):
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    config = CLIFactory(os.path.join(ROOT, "backend")).create_config_obj(chalice_stage_name="local")
    port = local_stack.free_port()
    server = create_local_server(app, config, "127.0.0.1", port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d" % port


def count_dynamodb_requests(session, url, key):
    """Requests sent by every DynamoDB client PynamoDB uses, per metered call."""
    from chalicelib.models import ALL_MODELS

    sent = []
    for model in ALL_MODELS:
        model._get_connection().connection.client.meta.events.register(
            "before-send.dynamodb", lambda **kwargs: sent.append(kwargs["request"].url))
    session.post(url + "/test", headers={"x-api-key": key})  # warm clients
    sent.clear()
    for _ in range(CALLS):
        assert session.post(url + "/test", headers={"x-api-key": key}).status_code == 200
    return len(sent) / CALLS


def median_latency(session, method, url, **kwargs):
    timings = []
    for _ in range(CALLS):
        start = time.perf_counter()
        response = session.request(method, url, **kwargs)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
    return statistics.median(timings) * 1000


IMPORT_PROBE = (
    "import sys, time; sys.path.insert(0, %r); start = time.perf_counter(); "
    "import app; print(time.perf_counter() - start)"
)


def cold_import_seconds(directory):
    env = dict(os.environ, AUTH_MODE="apigateway")
    runs = []
    for _ in range(IMPORT_RUNS):
        output = subprocess.check_output([sys.executable, "-c", IMPORT_PROBE % directory], env=env, cwd=directory)
        runs.append(float(output.decode().strip().splitlines()[-1]))
    return statistics.median(runs)


def main():
    import requests

    server, client_id = start_stack()
    try:
        key = funded_key(client_id)
        import app as app_module
        http_server, url = serve(app_module.app)
        session = requests.Session()
        requests_per_call = count_dynamodb_requests(session, url, key)
        metered = median_latency(session, "POST", url + "/test", headers={"x-api-key": key})
        unmetered = median_latency(session, "GET", url + "/plans")
        http_server.shutdown()
    finally:
        server.stop()

    with tempfile.TemporaryDirectory() as bare:
        with open(os.path.join(bare, "app.py"), "w") as handle:
            handle.write("from chalice import Chalice\napp = Chalice(app_name='bare')\n")
        bare_import = cold_import_seconds(bare)
    app_import = cold_import_seconds(os.path.join(ROOT, "backend"))

    print("DynamoDB requests per metered call: %.2f (target 1)" % requests_per_call)
    print("Median latency POST /test: %.2f ms; GET /plans (unmetered): %.2f ms; ratio %.2f (target <= 1.3)"
          % (metered, unmetered, metered / unmetered))
    print("Cold import backend/app.py: %.1f ms; bare Chalice app: %.1f ms; ratio %.2f (target <= 1.5)"
          % (app_import * 1000, bare_import * 1000, app_import / bare_import))


if __name__ == "__main__":
    main()
