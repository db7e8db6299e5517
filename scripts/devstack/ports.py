"""The local stack's ports: preferred ones from the environment, a free one
when a preferred port is taken (or an error, with strict ports)."""
import socket

from scripts.devstack.errors import Failure

HOST = "127.0.0.1"

# name -> (label, environment variable, default port)
PORTS = {
    "api": ("API", "API_PORT", 8000),
    "moto": ("AWS emulator", "MOTO_SERVER_PORT", 5000),
    "stripe": ("Stripe sandbox", "STRIPE_SANDBOX_PORT", 12111),
    "inbox": ("Inbox", "INBOX_PORT", 8025),
}


def port_available(port, host=HOST):
    """Nothing listens on the port: a server could bind it now (a port in
    TIME_WAIT after a previous run counts as available, as for the servers,
    which all set SO_REUSEADDR)."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((host, port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host=HOST):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def choose_ports(environ, strict=False, extra=None):
    """{name: port} for PORTS and `extra` (more of the same shape). A
    preferred port that is taken is replaced by a free one (the change is
    printed) or, with `strict`, is an error naming it."""
    chosen, notes = {}, []
    for name, (label, variable, default) in dict(PORTS, **(extra or {})).items():
        raw = environ.get(variable, "").strip()
        try:
            wanted = int(raw) if raw else default
            if not 0 <= wanted <= 65535:
                raise ValueError
        except ValueError:
            raise Failure("%s=%r is not a port number." % (variable, raw))
        port = wanted
        if port == 0 or port in chosen.values() or not port_available(port):
            if port and strict:
                raise Failure("Port %d (%s, %s) is taken. Stop whatever listens there, or set %s "
                              "to another port (0 = any free port)." % (port, label, variable, variable))
            while True:
                port = free_port()
                if port not in chosen.values():
                    break
            if wanted:
                notes.append("Port %d (%s) is taken; using %d instead (set %s to choose)."
                             % (wanted, label, port, variable))
        chosen[name] = port
    return chosen, notes
