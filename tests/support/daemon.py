"""Helpers for the resident-evaluator tests: drive a test's daemon, see which path a hook took."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable


class Daemon:
    """The daemon of one test's runtime directory, driven through ``vectimus daemon``."""

    def __init__(self, project, rundir: str):
        self.project = project
        self.rundir = rundir
        self.dir = Path(rundir) / "vectimus"

    def cli(self, *args: str, check: bool = True):
        return self.project.run("vectimus", "daemon", *args, check=check)

    def start(self) -> dict:
        self.cli("start")
        return self.status()

    def status(self) -> dict:
        return json.loads(self.cli("status", "--json").stdout)

    def stop(self):
        return self.cli("stop")

    def log(self) -> str:
        logs = list(self.dir.glob("*.log")) if self.dir.exists() else []
        return "".join(p.read_text() for p in logs)

    def served(self) -> int:
        """Requests answered, from the log line the daemon writes when it stops."""
        counts = re.findall(r"stopped after (\d+) requests", self.log())
        return int(counts[-1]) if counts else 0

    def wait_running(self, timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status["accepting"]:
                return status
            time.sleep(0.05)
        raise AssertionError(f"daemon did not start:\n{self.log()}")

    def wait_stopped(self, pid: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not Path(f"/proc/{pid}").exists() or _zombie(pid):
                return
            time.sleep(0.05)
        raise AssertionError(f"daemon {pid} still running:\n{self.log()}")


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except OSError:
        return True


def in_process_env() -> dict[str, str]:
    return {"VECTIMUS_DAEMON": "0"}


def hook_imports(project, payload: dict, env: dict | None = None) -> tuple[str, set[str]]:
    """Run the installed hook command under ``-X importtime``: its stdout and the modules it imported."""
    python, *rest = shlex.split(project.hook_command().split(" || ")[0])
    out = subprocess.run([python, "-X", "importtime", *rest], input=json.dumps(payload).encode(),
                         cwd=project.root, env={**project.env, **(env or {})}, capture_output=True, timeout=60)
    return out.stdout.decode(), imported(out.stderr.decode())


def imported(importtime_output: str) -> set[str]:
    """The module names in ``-X importtime`` output."""
    names = {line.split("|")[-1].strip() for line in importtime_output.splitlines()
             if line.startswith("import time:") and "|" in line}
    return names - {"imported package"}


def startup_modules() -> set[str]:
    """What the interpreter imports before running anything (site and its .pth files)."""
    out = subprocess.run([PYTHON, "-X", "importtime", "-c", "pass"], capture_output=True, text=True,
                         check=True)
    return imported(out.stderr)


def read_receipts(project: Path) -> list[dict]:
    """Every receipt payload in the project's log, in order."""
    from vectimus.receipts.chain import receipts_dir
    from vectimus.receipts.envelope import payload_of

    lines = [line for segment in sorted(receipts_dir(project).glob("segment-*.jsonl"))
             for line in segment.read_bytes().splitlines() if line.strip()]
    return [json.loads(payload_of(line)) for line in lines]


def workflow_write(project) -> dict:
    return project.claude_event("Write", {"file_path": str(project.root / ".github/workflows/x.yml"),
                                          "content": "on: push\n"})


def app_write(project) -> dict:
    return project.claude_event("Write", {"file_path": str(project.root / "src/app.py"), "content": "x = 1\n"})


def verdict(result) -> str:
    assert result.rc == 0, result.stderr
    return (result.json or {}).get("hookSpecificOutput", {}).get("permissionDecision", "allow")


def took_daemon(project, payload, env=None) -> tuple[str, bool]:
    """(stdout, whether the answer came from the daemon: the hook never imported the engine)."""
    stdout, modules = hook_imports(project, payload, env)
    return stdout, "cedarpy" not in modules and "vectimus.engine" not in modules
