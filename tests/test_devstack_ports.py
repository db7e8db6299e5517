"""scripts/devstack/ports.py: preferred ports, taken ones replaced or refused."""
import socket

import pytest

from scripts.devstack.errors import Failure
from scripts.devstack.ports import HOST, choose_ports, port_available


@pytest.fixture
def taken_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_zero_means_any_free_port_each_different():
    ports, notes = choose_ports({"API_PORT": "0", "MOTO_SERVER_PORT": "0", "STRIPE_SANDBOX_PORT": "0",
                                 "INBOX_PORT": "0"})
    assert set(ports) == {"api", "moto", "stripe", "inbox"}
    assert len(set(ports.values())) == 4 and all(port_available(port) for port in ports.values())
    assert notes == []


def test_a_taken_port_is_replaced_and_the_change_is_said(taken_port):
    ports, notes = choose_ports({"API_PORT": str(taken_port), "MOTO_SERVER_PORT": "0",
                                 "STRIPE_SANDBOX_PORT": "0", "INBOX_PORT": "0"})
    assert ports["api"] != taken_port
    assert notes == ["Port %d (API) is taken; using %d instead (set API_PORT to choose)."
                     % (taken_port, ports["api"])]


def test_strict_ports_refuse_a_taken_port_naming_its_variable(taken_port):
    with pytest.raises(Failure, match="Port %d \\(API, API_PORT\\) is taken" % taken_port):
        choose_ports({"API_PORT": str(taken_port)}, strict=True)


@pytest.mark.parametrize("value", ["http", "-1", "70000"])
def test_a_port_that_is_not_a_number_is_an_error(value):
    with pytest.raises(Failure, match="API_PORT=%r is not a port number" % value):
        choose_ports({"API_PORT": value})


def test_extra_ports_are_chosen_with_the_others():
    ports, _ = choose_ports({"API_PORT": "0", "MOTO_SERVER_PORT": "0", "STRIPE_SANDBOX_PORT": "0",
                             "INBOX_PORT": "0", "FRONTEND_PORT": "0"},
                            extra={"frontend": ("frontend", "FRONTEND_PORT", 5173)})
    assert len(set(ports.values())) == 5
