"""How the local API's HTTP server (`chalice local`'s ThreadedHTTPServer, a
thread per connection) is set up in the API process, and in the tests'
in-process server, so that it takes what browsers and test clients send.

Listen backlog. The server inherits socketserver's `request_queue_size` of 5:
the kernel queues at most 5 connections the server has not accepted yet. A
burst of concurrent connections (a page loading, a load test, a client
retrying) overflows that queue; Linux then drops the connection's handshake
or its first request, so the client waits (a 1 s SYN retry at best, up to its
time-out) or, once the kernel gives up on it, gets a reset. With 200
concurrent connections about one request in ten failed that way. The queue is
now `LISTEN_BACKLOG` long (the kernel caps it at `net.core.somaxconn`).

Nagle. `chalice local` writes each header line separately; with Nagle on, a
keep-alive client's delayed ACK adds ~40 ms to every response.

Clients that go away. A client that closes its connection before the answer
is written (a time-out, a closed tab) made socketserver print a traceback
per connection; it is one line now. Any other error keeps its traceback.
"""
import socketserver
import sys

LISTEN_BACKLOG = 1024
CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


def configure():
    """Set up chalice.local's server and handler classes (idempotent)."""
    from chalice import local

    server = local.ThreadedHTTPServer
    if not issubclass(server, socketserver.TCPServer):
        raise RuntimeError("chalice.local.ThreadedHTTPServer is no longer a socketserver.TCPServer: "
                           "scripts/devstack/local_server.py needs updating.")
    server.request_queue_size = LISTEN_BACKLOG
    server.handle_error = handle_error
    local.ChaliceRequestHandler.disable_nagle_algorithm = True


def handle_error(server, request, client_address):
    """socketserver's `handle_error`, called while the error is handled: one
    line when the client has gone away, the usual traceback otherwise."""
    error = sys.exc_info()[1]
    if isinstance(error, CLIENT_GONE):
        host, port = client_address[:2]
        sys.stderr.write("Client %s:%s closed the connection before its answer was sent (%s).\n"
                         % (host, port, type(error).__name__))
        return
    socketserver.BaseServer.handle_error(server, request, client_address)
