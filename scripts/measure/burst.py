"""A burst of concurrent connections to the local API: how many requests got
an HTTP answer, how many connections were reset and how many requests timed
out. `make bench` prints it for the stack `make dev` runs; the local stack's
tests use it to check that a burst is answered in full.

Every connection is opened at the same moment (a barrier), then sends its
requests one after the other on that connection (HTTP/1.1 keep-alive, as
browsers and HTTP client libraries do); a connection the server dropped is
opened again for the next request. Only the loopback address is ever
contacted, and the number of connections is bounded."""
import collections
import http.client
import socket
import threading
import urllib.parse

CONNECTIONS = 200
REQUESTS_PER_CONNECTION = 3
TIMEOUT_SECONDS = 60
MAX_CONNECTIONS = 500
LOOPBACK = "127.0.0.1"
# The routes `make bench` measures: public, token-checked (401 without one)
# and metered (401 without a key), so the burst reaches the app each time.
ROUTES = (("GET", "/plans"), ("GET", "/user"), ("POST", "/test"))


class Burst:
    """The figures of one burst on one route."""

    def __init__(self, method, path, connections):
        self.method = method
        self.path = path
        self.connections = connections
        self.requests = 0
        self.answered = 0
        self.resets = 0
        self.timeouts = 0
        self.statuses = collections.Counter()
        self.errors = collections.Counter()  # anything else, by exception name
        self._lock = threading.Lock()

    @property
    def route(self):
        return "%s %s" % (self.method, self.path)

    @property
    def failed(self):
        return self.requests - self.answered

    def line(self):
        others = sum(self.errors.values())
        return "%s: %d requests on %d connections, %d answered, %d reset%s, %d timeout%s%s" % (
            self.route, self.requests, self.connections, self.answered, self.resets,
            "" if self.resets == 1 else "s", self.timeouts, "" if self.timeouts == 1 else "s",
            (", %d other errors (%s)" % (others, ", ".join(sorted(self.errors)))) if others else "")

    def _count(self, status=None, reset=False, timeout=False, error=None):
        with self._lock:
            self.requests += 1
            if status is not None:
                self.answered += 1
                self.statuses[status] += 1
            elif reset:
                self.resets += 1
            elif timeout:
                self.timeouts += 1
            else:
                self.errors[error] += 1


def loopback_port(base_url):
    """The port of an http://127.0.0.1 (or localhost) URL; anything else is refused."""
    parsed = urllib.parse.urlsplit(base_url)
    if parsed.scheme != "http" or parsed.hostname not in (LOOPBACK, "localhost") or not parsed.port:
        raise ValueError("A burst only goes to http://127.0.0.1:<port>, not %r" % base_url)
    return parsed.port


def burst(base_url, method, path, connections=CONNECTIONS, requests_per_connection=REQUESTS_PER_CONNECTION,
          headers=None, timeout=TIMEOUT_SECONDS):
    """Open `connections` connections to the API at once and send
    `requests_per_connection` requests on each; returns a `Burst`."""
    port = loopback_port(base_url)
    if not 0 < connections <= MAX_CONNECTIONS:
        raise ValueError("connections must be between 1 and %d" % MAX_CONNECTIONS)
    figures = Burst(method, path, connections)
    start = threading.Barrier(connections + 1)

    def client():
        connection = None
        try:
            start.wait(timeout)
        except threading.BrokenBarrierError:
            return
        for _ in range(requests_per_connection):
            if connection is None:
                connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
            try:
                connection.request(method, path, headers=dict(headers or {}))
                response = connection.getresponse()
                response.read()
                figures._count(status=response.status)
                if response.will_close:
                    connection.close()
                    connection = None
                continue
            except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
                figures._count(reset=True)  # http.client.RemoteDisconnected is one too
            except (socket.timeout, TimeoutError):
                figures._count(timeout=True)
            except (OSError, http.client.HTTPException) as error:
                figures._count(error=type(error).__name__)
            connection.close()
            connection = None
        if connection is not None:
            connection.close()

    threads = [threading.Thread(target=client, name="burst-%d" % number, daemon=True)
               for number in range(connections)]
    for thread in threads:
        thread.start()
    try:
        start.wait(timeout)
    except threading.BrokenBarrierError:
        pass
    for thread in threads:
        thread.join()
    return figures


def bursts(base_url, routes=ROUTES, connections=CONNECTIONS):
    """One burst per route, one after the other."""
    return [burst(base_url, method, path, connections=connections) for method, path in routes]


def report(base_url, routes=ROUTES, connections=CONNECTIONS):
    """The lines `make bench` prints."""
    results = bursts(base_url, routes, connections)
    lines = ["Burst of %d concurrent connections on the local API (%d requests each; target: "
             "every request answered, no reset, no timeout):" % (connections, REQUESTS_PER_CONNECTION)]
    lines.extend("  " + result.line() for result in results)
    return lines
