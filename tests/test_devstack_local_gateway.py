"""scripts/devstack/local_gateway.py: the local stand-in for API Gateway
answers unknown routes and methods in the API's error shape; it belongs to
the local stack and the tests, never to the Lambda package, and refuses a
chalice it was not written for. (Unknown routes through chalice.test.Client:
tests/test_routes.py; over HTTP: tests/test_web.py; in the API process that
`make dev` starts: tests/test_local_stack_e2e.py.)"""
import os

import pytest
import requests

from scripts import BACKEND
from scripts.devstack import local_gateway


def test_the_backend_neither_holds_nor_imports_it():
    for directory, _, files in os.walk(BACKEND):
        assert "local_gateway.py" not in files, directory
    with open(os.path.join(BACKEND, "app.py")) as handle:
        assert "local_gateway" not in handle.read()


def test_the_chalice_it_was_written_for_is_accepted():
    assert local_gateway.check_chalice_version("1.34.0") == "1.34.0"
    assert local_gateway.check_chalice_version("1.34.7") == "1.34.7"
    import chalice
    assert local_gateway.check_chalice_version() == chalice.__version__


@pytest.mark.parametrize("version", ["1.35.0", "2.0.0", "1.3.4", "unknown"])
def test_another_chalice_stops_with_a_message_saying_what_to_check(version):
    with pytest.raises(local_gateway.UnsupportedChalice) as refused:
        local_gateway.check_chalice_version(version)
    message = str(refused.value)
    assert "chalice %s is installed" % version in message
    assert "1.34.x" in message and "_generate_lambda_event" in message and "SUPPORTED_CHALICE" in message


def test_install_refuses_another_chalice_instead_of_doing_nothing(monkeypatch):
    import chalice
    monkeypatch.setattr(local_gateway, "_installed", [])
    monkeypatch.setattr(chalice, "__version__", "1.40.0")
    with pytest.raises(local_gateway.UnsupportedChalice):
        local_gateway.install()


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PROPFIND"])
def test_over_http_a_method_the_server_has_no_handler_for_is_a_405_with_allow(api_url, method):
    response = requests.request(method, api_url + "/user", timeout=10)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert sorted(response.headers["Allow"].split(", ")) == ["DELETE", "GET"]


def test_over_http_an_unknown_route_is_a_404_with_cors(api_url):
    for headers in ({}, {"Authorization": "Bearer x"}):
        response = requests.post(api_url + "/no/such/route", headers=headers, timeout=10)
        assert response.status_code == 404
        assert response.json() == local_gateway.NOT_FOUND
        assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


def test_each_thread_sees_the_request_it_is_answering(app):
    """Two threads each set and read the app's current request in turn: each
    reads its own, as each Lambda instance in AWS has its own app."""
    import threading

    turns = threading.Barrier(2)
    seen = {}

    def answer(name):
        app.current_request = name
        turns.wait()  # both have set theirs before either reads
        seen[name] = app.current_request

    threads = [threading.Thread(target=answer, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"first": "first", "second": "second"}


def test_concurrent_requests_of_two_people_are_each_answered_for_their_sender(client, new_user):
    """Requests of two people answered at once in threads (as the local
    server's threads do), each with its sender's own account."""
    import concurrent.futures
    import json

    people = [new_user(), new_user()]

    def whose(person):
        response = client.http.get("/user", headers=person.headers)
        return person.id, json.loads(response.body)["user"]["id"]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(whose, people * 30))
    assert [asker for asker, answered in answers if asker != answered] == []
