"""A small HTTP server of the dev stack's own (the built frontend, the
inbox), served by a daemon thread of this process."""
import http.server
import threading


class ServedInThread:
    """`handler` on `host:port` (0: any free port); `url` once built."""

    def __init__(self, host, port, handler, name):
        self.server = http.server.ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.url = "http://%s:%d" % (host, self.server.server_address[1])
        self._name = name
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, name=self._name, daemon=True)
        self._thread.start()
        return self

    def alive(self):
        return self._thread is not None and self._thread.is_alive()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
