"""One call, one receipt: a fallback after a slow daemon, a retry after a killed hook, killed daemons."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from vectimus.config import load_config
from vectimus.locations import user_home
from vectimus.receipts.sink import LocalChainSink
from vectimus.receipts.state import RECENT
from vectimus.sinks import SinkContext

from tests.support.daemon import in_process_env, read_receipts, verdict
from tests.support.receipts import make_body


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_a_big_event_the_daemon_is_too_slow_for_leaves_one_receipt(daemon):
    """7.5 MiB: the daemon starts on it, is held up past the client's wait, the client decides itself."""
    project = daemon.project
    pid = daemon.start()["pid"]
    line = 'print("hello world, this is a line of a generated module")  # padding padding'
    content = ";".join([line] * (int(7.5 * 1024 * 1024) // (len(line) + 1)))
    event = project.claude_event("Write", {"file_path": str(project.root / "src" / "big.py"), "content": content},
                                 tool_use_id="toolu_big")
    assert 7 * 1024 * 1024 < len(json.dumps(event)) < 8 * 1024 * 1024
    result: list = []
    caller = threading.Thread(target=lambda: result.append(project.call(project.hook_command(), event)))
    before = cpu_ticks(pid)
    caller.start()
    deadline = time.monotonic() + 20
    while cpu_ticks(pid) - before < 3 and time.monotonic() < deadline:  # the daemon is working on it
        time.sleep(0.002)
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(2.5)  # longer than the client waits
    finally:
        os.kill(pid, signal.SIGCONT)
    caller.join(60)
    assert verdict(result[0]) == "allow"
    time.sleep(2)  # let the daemon finish whatever it still does with the call
    mine = [r for r in read_receipts(project.root) if r["tool_use"] == "toolu_big"]
    assert len(mine) == 1 and mine[0]["evaluator"] == "hook"
    assert project.run("vectimus", "verify").returncode == 0


def test_a_retry_after_many_other_calls_were_recorded_leaves_one_receipt(daemon):
    """The call's hook was killed after its receipt was chained; before the agent's retries came,
    more calls than the state keeps the place of were recorded (other sessions, other writers)."""
    project = daemon.project
    daemon.start()
    event = project.claude_event("Bash", {"command": "echo retried"}, session_id="s", tool_use_id="toolu_retried")
    assert verdict(project.call(project.hook_command(), event)) == "allow"
    ctx = SinkContext(project.root, user_home(project.env), load_config(project.root, project.env).data,
                      env=project.env)
    for i in range(RECENT + 1):
        LocalChainSink().emit({**make_body(i, project=project.root, session="other"), "call_key": f"{i:064x}"}, ctx)
    for env in ({}, in_process_env()):  # the retry, through the daemon and in-process
        assert verdict(project.call(project.hook_command(), event, env=env)) == "allow"
    mine = [r for r in read_receipts(project.root) if r["tool_use"] == "toolu_retried"]
    assert len(mine) == 1 and "supersedes" not in mine[0]
    assert project.run("vectimus", "verify").returncode == 0


WRITERS, CALLS = 8, 150
HOOK_KILLS, DAEMON_KILLS = 60, 5


def test_eight_writers_under_random_sigkills_leave_one_receipt_per_call(daemon):
    """Hook processes and the daemon killed at random; every call retried until answered."""
    project = daemon.project
    command = project.hook_command()
    token = f"vectimus-chaos-{os.getpid()}-{time.time_ns()}"
    env = {"CHAOS_TOKEN": token}
    stop = threading.Event()
    kills = Counter()
    rng = random.Random(15)

    def victims() -> tuple[list[int], list[int]]:
        hooks, daemons = [], []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                environ = Path(f"/proc/{pid}/environ").read_bytes()
            except OSError:
                continue
            if f"XDG_RUNTIME_DIR={daemon.rundir}".encode() not in environ.split(b"\0"):
                continue
            if b"vectimus.daemon" in cmdline:
                daemons.append(int(pid))
            elif b"hook_script.py" in cmdline and token.encode() in environ:
                hooks.append(int(pid))
        return hooks, daemons

    def killer() -> None:
        """Now and then a hook process, more rarely the daemon, until enough have died."""
        while not stop.is_set() and (kills["hook"] < HOOK_KILLS or kills["daemon"] < DAEMON_KILLS):
            time.sleep(rng.uniform(0.02, 0.25))
            hooks, daemons = victims()
            if daemons and kills["daemon"] < DAEMON_KILLS and rng.random() < 0.1:
                kind, pid = "daemon", daemons[0]
            elif hooks and kills["hook"] < HOOK_KILLS:
                kind, pid = "hook", rng.choice(hooks)
            else:
                continue
            try:
                os.kill(pid, signal.SIGKILL)
                kills[kind] += 1
            except ProcessLookupError:
                pass

    def writer(w: int) -> int:
        retries = 0
        for i in range(CALLS):
            event = project.claude_event("Bash", {"command": f"echo {w}-{i}"}, session_id="chaos",
                                         tool_use_id=f"toolu_{w}_{i}")
            while True:
                result = project.call(command, event, env=env)
                if result.rc == 0 and verdict(result) == "allow":
                    break
                retries += 1  # killed before it answered: the agent's call is tried again
                assert retries < HOOK_KILLS + 50
        return retries

    chaos = threading.Thread(target=killer)
    chaos.start()
    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            retries = sum(pool.map(writer, range(WRITERS)))
    finally:
        stop.set()
        chaos.join()
    assert kills["hook"] >= 20 and kills["daemon"] >= 1 and retries >= 10, (kills, retries)
    project.call(project.claude_hooks("SessionEnd")[0], {"session_id": "chaos", "cwd": str(project.root), "hook_event_name": "SessionEnd"})
    verified = json.loads(project.run("vectimus", "verify", "--sealed", "--json", check=False).stdout)
    assert verified["ok"], verified["failures"][:3]
    per_call = Counter(r["tool_use"] for r in read_receipts(project.root))
    assert per_call == {f"toolu_{w}_{i}": 1 for w in range(WRITERS) for i in range(CALLS)}, \
        [k for k, n in per_call.items() if n != 1][:10]
