"""The frontend on the local stack (docs/local-stack.md).

`DEV_FRONTEND` chooses how `make dev` serves frontend/:

- `vite` (the default when frontend/package.json exists): the Vite dev
  server, `npm run dev`, a child process in its own process group; `npm ci`
  runs first when node_modules is missing or older than package-lock.json;
- `dist`: the production build in frontend/dist, served by a small static
  server in this process (SPA fallback to index.html), as the browser tests
  use it;
- `off` (the default without a frontend): nothing is served.

Either way the app's runtime settings are written to
`<DEV_STATE_DIR>/config.json` and served as `/config.json`; Vite finds the
file through `FRONTEND_CONFIG_FILE`.
"""
import contextlib
import http.server
import json
import mimetypes
import os
import sys
import time
import urllib.parse

from scripts import ROOT
from scripts.devstack.child_process import ChildProcess
from scripts.devstack.http_thread import ServedInThread

FRONTEND_DIR = os.path.join(ROOT, "frontend")
MODES = ("vite", "dist", "off")
LOCAL_HOSTS = ("localhost", "127.0.0.1")


class FrontendError(Exception):
    """The frontend cannot be served as asked; the message says what to do."""


def package_json(frontend_dir=FRONTEND_DIR):
    return os.path.join(frontend_dir, "package.json")


def dist_dir(frontend_dir=FRONTEND_DIR):
    return os.path.join(frontend_dir, "dist")


def choose_mode(environ, frontend_dir=FRONTEND_DIR):
    raw = environ.get("DEV_FRONTEND", "").strip().lower()
    has_app = os.path.isfile(package_json(frontend_dir))
    if not raw:
        return "vite" if has_app else "off"
    if raw not in MODES:
        raise FrontendError("DEV_FRONTEND=%r: use one of %s." % (raw, ", ".join(MODES)))
    if raw == "vite" and not has_app:
        raise FrontendError("DEV_FRONTEND=vite, but there is no frontend/package.json.")
    if raw == "dist" and not os.path.isfile(os.path.join(dist_dir(frontend_dir), "index.html")):
        raise FrontendError("DEV_FRONTEND=dist, but frontend/dist/index.html is missing: "
                            "build it first (cd frontend && npm ci && npm run build).")
    return raw


# The origin ------------------------------------------------------------------------

def origin_port(origin):
    """The port of an http://localhost origin (the one the frontend is served on)."""
    parts = urllib.parse.urlsplit(origin)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS or parts.path not in ("", "/"):
        raise FrontendError("FRONTEND_ORIGIN=%s: to serve the frontend, make dev needs an origin like "
                            "http://localhost:5173 (or set DEV_FRONTEND=off and serve it yourself)." % origin)
    return parts.port or 80


def with_port(origin, port):
    """The same origin on another port (CORS compares origins exactly)."""
    parts = urllib.parse.urlsplit(origin)
    return "%s://%s:%d" % (parts.scheme, parts.hostname, port)


# Runtime settings ---------------------------------------------------------------------

def runtime_config(api_url, region, user_pool_id, client_id, cognito_endpoint, stage="local"):
    """What the app reads from /config.json at start."""
    return {
        "apiUrl": api_url.rstrip("/"),
        "region": region,
        "userPoolId": user_pool_id,
        "userPoolClientId": client_id,
        "cognitoEndpoint": cognito_endpoint.rstrip("/"),
        "localEmulator": True,
        "signInProviders": [],
        "stage": stage,
    }


def write_config(path, config):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)


# npm ---------------------------------------------------------------------------------

def npm_install_needed(frontend_dir=FRONTEND_DIR):
    """node_modules is missing, or older than package-lock.json."""
    lock = os.path.join(frontend_dir, "package-lock.json")
    modules = os.path.join(frontend_dir, "node_modules")
    marker = os.path.join(modules, ".package-lock.json")  # written by every npm install
    installed = marker if os.path.exists(marker) else modules
    if not os.path.isdir(modules):
        return True
    return os.path.exists(lock) and os.path.getmtime(installed) < os.path.getmtime(lock)


class NpmCi(ChildProcess):
    """`npm ci` in frontend/, in its own process group (a stop signal ends it)."""

    def __init__(self, environ, out, frontend_dir=FRONTEND_DIR):
        command = ["npm", "ci", "--no-audit", "--no-fund"]
        super().__init__(command, frontend_dir, _quiet(environ), "npm | ", out)

    def wait(self, check=None):
        """Until npm exits; `check()` may raise meanwhile (a stop signal)."""
        while not self.exited():
            if check is not None:
                check()
            time.sleep(0.2)
        if self.process.returncode != 0:
            raise FrontendError("npm ci in frontend/ failed (exit code %s):\n%s"
                                % (self.process.returncode, self.output_tail()))


def _quiet(environ):
    """No colours or prompts in forwarded output."""
    environ = dict(environ)
    environ.update(NO_COLOR="1", FORCE_COLOR="0", BROWSER="none", CI=environ.get("CI", "true"))
    return environ


# The Vite dev server ---------------------------------------------------------------------

class ViteServer(ChildProcess):
    """`npm run dev -- --host H --port P --strictPort`, started through
    `dev.py exec` so that it also ends if make dev is killed (Linux)."""

    def __init__(self, host, port, config_file, environ, out, dev_script, frontend_dir=FRONTEND_DIR):
        self.port = port
        environ = _quiet(environ)
        environ["FRONTEND_CONFIG_FILE"] = config_file
        command = [sys.executable, dev_script, "exec", str(os.getpid()),
                   "npm", "run", "dev", "--", "--host", host, "--port", str(port), "--strictPort"]
        super().__init__(command, frontend_dir, environ, "web | ", out)

    def alive(self):
        return not self.exited()


# The built app -------------------------------------------------------------------------------

class StaticSite(ServedInThread):
    """frontend/dist over HTTP: files as they are, `/config.json` from the
    stack's settings file, and index.html for every other path (the app's
    routes use the history API)."""

    def __init__(self, host, port, config_file, root=None):
        self.root = os.path.realpath(root or dist_dir())
        self.config_file = config_file
        super().__init__(host, port, type("Handler", (_StaticHandler,), {"site": self}), "frontend")

    def resolve(self, url_path):
        """(file, cache header) for a request path; None for a missing asset."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(url_path).path)
        if path == "/config.json":
            return self.config_file, "no-store"
        candidate = os.path.realpath(os.path.join(self.root, path.lstrip("/")))
        inside = candidate.startswith(self.root + os.sep)
        if inside and os.path.isfile(candidate):
            immutable = candidate.startswith(os.path.join(self.root, "assets") + os.sep)
            return candidate, "public, max-age=31536000, immutable" if immutable else "no-cache"
        if path.startswith("/assets/") or os.path.splitext(path)[1] not in ("", ".html"):
            return None  # a missing file, not a route: a 404, not the app
        return os.path.join(self.root, "index.html"), "no-cache"


class _StaticHandler(http.server.BaseHTTPRequestHandler):
    site = None
    server_version = "credits-saas-frontend"

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._send(head_only=False)

    def do_HEAD(self):  # noqa: N802
        self._send(head_only=True)

    def _send(self, head_only):
        found = self.site.resolve(self.path)
        if found is None or not os.path.isfile(found[0]):
            body = b"Not found\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        else:
            path, cache = found
            with open(path, "rb") as handle:
                body = handle.read()
            self.send_response(200)
            self.send_header("Content-Type", mimetypes.guess_type(path)[0] or "application/octet-stream")
            self.send_header("Cache-Control", cache)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


# The frontend as one part of make dev ------------------------------------------------------

class LocalFrontend:
    """How `make dev` serves the frontend, from choosing the mode to
    stopping the server. `out` prints a line; `deferred()` is a context in
    which stop signals wait (so a started child is always recorded)."""

    def __init__(self, environ, state_directory, out, deferred, dev_script):
        self.environ = environ
        self.config_file = os.path.join(state_directory, "config.json")
        self.out = out
        self.deferred = deferred
        self.dev_script = dev_script
        self.mode = choose_mode(environ)
        self.server = None
        self.npm = None
        self._wrote_config = False

    @property
    def served(self):
        return self.mode != "off"

    def port_spec(self, origin):
        """{"frontend": (label, variable, preferred port)} for dev.py's port
        choice, or None when nothing is served."""
        if not self.served:
            return None
        raw = self.environ.get("FRONTEND_PORT", "").strip()
        preferred = int(raw) if raw.isdigit() else origin_port(origin)
        return {"frontend": ("Frontend", "FRONTEND_PORT", preferred)}

    def install(self):
        """`npm ci` first when the Vite dev server needs packages."""
        if self.mode != "vite" or not npm_install_needed():
            return
        self.out("Installing the frontend's npm packages (npm ci in frontend/)...")
        with self.deferred():
            self.npm = NpmCi(self.environ, self.out).start()
        self.npm.wait()
        self.npm = None

    def start(self, host, port, settings):
        """/config.json for the app, then the Vite dev server or the built app."""
        write_config(self.config_file, settings)
        self._wrote_config = True
        if self.mode == "vite":
            self.out("Starting the frontend (Vite dev server) on port %d..." % port)
            with self.deferred():
                self.server = ViteServer(host, port, self.config_file, self.environ, self.out,
                                         self.dev_script).start()
            return
        self.out("Serving the built frontend (frontend/dist) on port %d..." % port)
        try:
            self.server = StaticSite(host, port, self.config_file).start()
        except OSError as error:
            raise FrontendError("The frontend could not be served on port %d: %s" % (port, error))

    @property
    def pid(self):
        """The Vite process (None for the built app, served in make dev itself)."""
        return self.server.pid if isinstance(self.server, ViteServer) else None

    def check_alive(self):
        if self.server is not None and not self.server.alive():
            tail = self.server.output_tail() if isinstance(self.server, ViteServer) else ""
            raise FrontendError("The frontend server stopped unexpectedly.%s"
                                % (("\nIts last output:\n" + tail) if tail else ""))

    def stop(self):
        """What was stopped ("npm ci", "frontend"), for make dev's summary."""
        stopped = []
        for label, part in (("npm ci", self.npm), ("frontend", self.server)):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.stop()
                stopped.append(label)
        if self._wrote_config and os.path.exists(self.config_file):
            os.remove(self.config_file)
        return stopped

    def banner(self, url):
        if self.served:
            return "  Frontend        %s  (%s)" % (
                url, "Vite dev server" if self.mode == "vite" else "frontend/dist")
        reason = "DEV_FRONTEND=off" if os.path.isfile(package_json()) else "no frontend/package.json"
        return "  Frontend        %s  (not served: %s)" % (url, reason)
