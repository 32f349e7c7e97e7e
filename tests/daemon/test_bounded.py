"""Every wait is bounded: a process holding the receipt log's lock gets every call denied within 10 s."""

from __future__ import annotations

import subprocess
import time

import pytest
from tests.support.daemon import read_receipts, verdict

HOME_DELETE = "rm -rf ~"


def hold(path) -> subprocess.Popen:
    """``flock PATH sleep 90`` in the background, as the red team did (killing it frees the lock)."""
    holder = subprocess.Popen(["flock", "--close", str(path), "sleep", "90"])
    time.sleep(0.3)
    return holder


@pytest.mark.parametrize("with_daemon", [True, False])
def test_the_lock_holder_gets_a_deny_within_ten_seconds(daemon, with_daemon):
    project = daemon.project
    command = project.hook_command()
    event = project.claude_event("Bash", {"command": HOME_DELETE}, tool_use_id="toolu_locked")
    assert verdict(project.call(command, project.claude_event("Bash", {"command": "ls"}))) == "allow"
    if with_daemon:
        daemon.wait_running()
    env = {} if with_daemon else {"VECTIMUS_DAEMON": "0"}
    before = len(read_receipts(project.root))
    holder = hold(project.root / ".vectimus" / "receipts")
    try:
        started = time.monotonic()
        result = project.call(command, event, env=env)
        took = time.monotonic() - started
        harmless = project.call(command, project.claude_event("Bash", {"command": "ls"}), env=env)
    finally:
        holder.kill()
        holder.wait()
    assert took < 10, took
    assert verdict(result) == "deny" and "locked by another process" in result.stdout
    assert verdict(harmless) == "deny"  # nothing is allowed that cannot be recorded
    assert len(read_receipts(project.root)) == before  # and nothing was recorded meanwhile
    after = project.call(command, event, env=env)
    assert verdict(after) == "deny" and "vectimus-destruct-001" in after.stdout
    assert len(read_receipts(project.root)) == before + 1


def test_a_lock_on_the_state_file_no_longer_holds_up_the_hook(installed):
    """The issue's reproduction: ``nohup flock .vectimus/receipts/state.json sleep 90 &``."""
    command = installed.hook_command()
    assert verdict(installed.call(command, installed.claude_event("Bash", {"command": "ls"}))) == "allow"
    holder = hold(installed.root / ".vectimus" / "receipts" / "state.json")
    try:
        started = time.monotonic()
        result = installed.call(command, installed.claude_event("Bash", {"command": HOME_DELETE}))
        assert time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()
    assert verdict(result) == "deny" and "vectimus-destruct-001" in result.stdout
