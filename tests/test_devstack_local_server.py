"""scripts/devstack/local_server.py: the local API's HTTP server queues a
burst of connections (the burst itself: tests/test_local_stack_e2e.py) and
says in one line when a client went away."""
import pytest

from scripts.devstack import local_server
from scripts.measure import burst


def test_the_server_queues_a_whole_burst_and_answers_without_nagle():
    from chalice import local

    local_server.configure()
    assert local.ThreadedHTTPServer.request_queue_size >= burst.CONNECTIONS
    assert local.ChaliceRequestHandler.disable_nagle_algorithm is True


@pytest.mark.parametrize("error", [BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "reset")])
def test_a_client_that_went_away_is_one_line_without_a_traceback(capsys, error):
    try:
        raise error
    except OSError:
        local_server.handle_error(None, None, ("127.0.0.1", 50123))
    printed = capsys.readouterr()
    assert printed.err == ("Client 127.0.0.1:50123 closed the connection before its answer was sent (%s).\n"
                           % type(error).__name__)
    assert "Traceback" not in printed.out + printed.err


def test_any_other_error_keeps_its_traceback(capsys):
    try:
        raise KeyError("a bug")
    except KeyError:
        local_server.handle_error(None, None, ("127.0.0.1", 50124))
    printed = capsys.readouterr()
    assert "Traceback" in printed.err and "KeyError: 'a bug'" in printed.err
