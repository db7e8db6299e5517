"""scripts/devstack/signals.py: the first stop signal raises `Stop` once; any
later one is only counted, so nothing interrupts the stopping. (Signals sent
to a running `scripts/dev.py` and `make dev`: tests/test_local_stack_e2e.py.)
The handler is called directly here: the test process keeps its own."""
import signal

import pytest

from scripts.devstack.signals import Signals, Stop


def test_the_first_signal_raises_stop_and_later_ones_are_only_counted():
    signals = Signals()
    with pytest.raises(Stop) as stop:
        signals._handle(signal.SIGTERM, None)
    assert str(stop.value) == "SIGTERM"
    signals._handle(signal.SIGTERM, None)
    signals._handle(signal.SIGINT, None)
    assert (signals.received, signals.count) == ("SIGTERM", 3)


def test_after_stopping_begins_no_signal_raises():
    signals = Signals()
    signals.stopping()
    signals._handle(signal.SIGINT, None)
    signals._handle(signal.SIGINT, None)
    assert (signals.received, signals.count) == ("SIGINT", 2)


def test_signals_during_a_deferred_block_raise_once_when_it_ends():
    signals = Signals()
    with pytest.raises(Stop):
        with signals.deferred():
            signals._handle(signal.SIGINT, None)
            signals._handle(signal.SIGTERM, None)  # noted, nothing raised inside the block
    with signals.deferred():
        signals._handle(signal.SIGINT, None)
    assert (signals.received, signals.count) == ("SIGINT", 3)


def test_a_deferred_block_ending_after_stopping_began_raises_nothing():
    signals = Signals()
    with signals.deferred():
        signals._handle(signal.SIGHUP, None)
        signals.stopping()
    assert signals.received == "SIGHUP"
