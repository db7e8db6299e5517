"""scripts/devstack/state.py: a running stack's dev.json, and `make reset`."""
import os
import subprocess
import sys

import pytest

from scripts.devstack.api_process import DEV_SCRIPT
from scripts.devstack.state import reset, running_stack, state_dir, write_json_atomically


@pytest.fixture
def other_dev_process():
    """A live process whose command line names dev.py, as `make dev`'s does."""
    process = subprocess.Popen([sys.executable, "-c", "import time; print(1, flush=True); time.sleep(60)",
                                "dev.py"], stdout=subprocess.PIPE)
    process.stdout.readline()  # started: its command line is its own
    yield process.pid
    process.kill()
    process.wait()
    process.stdout.close()


def test_state_dir_comes_from_the_option_then_the_environment(tmp_path):
    assert state_dir({"DEV_STATE_DIR": str(tmp_path / "env")}) == str(tmp_path / "env")
    assert state_dir({"DEV_STATE_DIR": "ignored"}, str(tmp_path / "option")) == str(tmp_path / "option")


def test_only_a_live_other_process_counts_as_a_running_stack(tmp_path, other_dev_process):
    path = str(tmp_path / "dev.json")
    assert running_stack(path) is None  # no file
    write_json_atomically(path, {"pid": os.getpid()})
    assert running_stack(path) is None  # this process
    write_json_atomically(path, {"pid": other_dev_process, "api_url": "http://127.0.0.1:1"})
    assert running_stack(path)["api_url"] == "http://127.0.0.1:1"


def test_a_stale_dev_json_does_not_count(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    path = str(tmp_path / "dev.json")
    write_json_atomically(path, {"pid": int(finished.stdout)})
    assert running_stack(path) is None


def test_reset_refuses_while_the_stack_runs_then_removes_the_directory(tmp_path, other_dev_process, capsys):
    directory = tmp_path / "state"
    write_json_atomically(str(directory / "dev.json"), {"pid": other_dev_process})
    assert reset(str(directory)) == 1
    assert directory.exists()
    assert "stop it first" in capsys.readouterr().err
    write_json_atomically(str(directory / "dev.json"), {"pid": os.getpid()})
    assert reset(str(directory)) == 0
    assert not directory.exists()
    assert reset(str(directory)) == 0
    assert "Nothing to reset" in capsys.readouterr().out


def test_reset_runs_without_the_apps_libraries(tmp_path):
    """`make reset` needs none of the app's libraries (a stack that crashed
    may have left a half-installed virtualenv behind)."""
    directory = tmp_path / "state"
    directory.mkdir()
    code = ("import os, runpy, sys\n"
            "for name in ('pynamodb', 'boto3', 'botocore', 'chalice', 'stripe', 'moto'):\n"
            "    sys.modules[name] = None\n"
            "sys.argv = [%r, '--reset']\n"
            "runpy.run_path(%r, run_name='__main__')\n") % (DEV_SCRIPT, DEV_SCRIPT)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, DEV_STATE_DIR=str(directory)))
    assert result.returncode == 0, result.stderr
    assert not directory.exists()
