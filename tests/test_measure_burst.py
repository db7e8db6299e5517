"""scripts/measure/burst.py counts what a burst of connections got: answers,
resets and time-outs (against small local servers here; against the API of
`scripts/dev.py`: tests/test_local_stack_e2e.py), and only ever contacts the
loopback address."""
import http.server
import socket
import socketserver
import threading

import pytest

from scripts.measure import burst


@pytest.mark.parametrize("url", ["http://example.com:80", "https://127.0.0.1:8000", "http://10.0.0.1:8000",
                                 "http://127.0.0.1"])
def test_only_the_loopback_address_is_contacted(url):
    with pytest.raises(ValueError):
        burst.burst(url, "GET", "/plans", connections=1)


@pytest.mark.parametrize("connections", [0, burst.MAX_CONNECTIONS + 1])
def test_the_number_of_connections_is_bounded(connections):
    with pytest.raises(ValueError):
        burst.burst("http://127.0.0.1:8000", "GET", "/plans", connections=connections)


class Server:
    """A threaded server on a free loopback port, with a handler class."""

    def __init__(self, handler):
        class Threaded(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            request_queue_size = 64

        self.server = Threaded(("127.0.0.1", 0), handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Answers(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Resets(http.server.BaseHTTPRequestHandler):
    def handle(self):
        self.rfile.readline()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.connection.close()  # an abortive close: the client sees a reset


class NeverAnswers(http.server.BaseHTTPRequestHandler):
    def handle(self):
        self.rfile.readline()
        self.server.release.wait(10)


def test_every_request_on_every_connection_is_counted_as_answered():
    server = Server(Answers)
    try:
        result = burst.burst(server.url, "GET", "/plans", connections=20, requests_per_connection=3)
    finally:
        server.close()
    assert (result.requests, result.answered, result.resets, result.timeouts) == (60, 60, 0, 0)
    assert result.statuses == {204: 60}
    assert result.line() == "GET /plans: 60 requests on 20 connections, 60 answered, 0 resets, 0 timeouts"


def test_a_connection_the_server_drops_is_a_reset_and_is_opened_again():
    server = Server(Resets)
    try:
        result = burst.burst(server.url, "GET", "/user", connections=5, requests_per_connection=2)
    finally:
        server.close()
    assert (result.requests, result.answered, result.resets, result.timeouts) == (10, 0, 10, 0)


def test_a_request_left_unanswered_is_a_timeout():
    server = Server(NeverAnswers)
    server.server.release = threading.Event()
    try:
        result = burst.burst(server.url, "POST", "/test", connections=3, requests_per_connection=1, timeout=0.5)
    finally:
        server.server.release.set()
        server.close()
    assert (result.requests, result.answered, result.resets, result.timeouts) == (3, 0, 0, 3)
    assert "3 timeouts" in result.line()
