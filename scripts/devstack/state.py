"""The state directory (`.local/`): dev.json of a running stack, `make reset`."""
import json
import os
import shutil

from scripts.devstack.output import relative, say, warn
from scripts.devstack.settings import DEFAULT_STATE_DIR


def state_dir(environ, override=None):
    return os.path.abspath(override or environ.get("DEV_STATE_DIR") or DEFAULT_STATE_DIR)


def running_stack(path):
    """The dev.json of a stack that is still running, else None."""
    try:
        with open(path) as handle:
            config = json.load(handle)
    except (OSError, ValueError):
        return None
    pid = config.get("pid")
    if not isinstance(pid, int) or pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return config
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            if b"dev.py" not in handle.read():
                return None  # the pid was reused by something else
    except OSError:
        pass
    return config


def write_json_atomically(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = "%s.%d.tmp" % (path, os.getpid())
    with open(temporary, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(temporary, path)


def reset(directory):
    """`make reset`: forget everything under the state directory."""
    config_path = os.path.join(directory, "dev.json")
    running = running_stack(config_path)
    if running:
        warn("make dev is running (pid %s, API %s); stop it first (Ctrl-C), then reset."
             % (running.get("pid"), running.get("api_url")))
        return 1
    if os.path.isdir(directory):
        shutil.rmtree(directory)
        say("Removed %s. The next `make dev` starts from an empty stack." % relative(directory))
    else:
        say("Nothing to reset: %s does not exist." % relative(directory))
    return 0
