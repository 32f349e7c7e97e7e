"""A GitHub Actions job that runs Claude Code under Vectimus, rehearsed on this machine.

``Job`` lays out a runner (``$HOME=/home/runner``-like directory, the workspace under
``work/<repo>/<repo>``), sets the variables Actions sets, runs ``vectimus init --ci`` with a given
environment's ``vectimus``, and drives the hook commands init installed with Claude Code events
shaped like the captured real ones. ``upload_artifact`` lays out the three artifact paths the way
``actions/upload-artifact`` does (relative to their deepest common directory).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from vectimus import sandbox

ROOT = Path(__file__).resolve().parents[3]
CAPTURES = ROOT / "tests" / "fixtures" / "captures"
ACME_PACK = ROOT / "examples" / "custom-pack" / "acme-deploy"
SESSION = "5f0c8a4e-ci-rehearsal"


def clean_env(home: Path, bindir: Path) -> dict[str, str]:
    """The runner's environment: nothing inherited that Vectimus or Actions would read."""
    return sandbox.clean_env(home, bindir, "ci")


class Job(sandbox.Sandbox):
    """One rehearsed Actions job: a runner home, a checked-out repository, the job's variables."""

    def __init__(self, base: Path, bindir: Path, *, groups: str = "ci,deploy", repo: str = "app"):
        home = base / "runner"
        super().__init__(home / "work" / repo / repo, home, clean_env(home, bindir), bindir)
        self.repo = self.root
        self.summary = base / "runner-temp" / "step_summary_agent"
        self.env.update(CI="true", GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(self.summary),
                        GITHUB_JOB="agent", GITHUB_RUN_ID="4242", GITHUB_REPOSITORY=f"acme/{repo}",
                        GITHUB_WORKSPACE=str(self.repo), VECTIMUS_GROUPS=groups)
        self.summary.parent.mkdir(parents=True)
        self.summary.touch()  # the runner creates it empty for each step
        (self.repo / "src").mkdir(parents=True)
        (self.repo / "src" / "app.py").write_text("print('hello')\n")
        (self.repo / "README.md").write_text("# app\n")
        (self.repo / "deploy.sh").write_text("#!/bin/sh\necho deployed\n")
        (self.repo / "deploy.sh").chmod(0o755)
        # The organisation's pack, committed to the repository (examples/custom-pack/acme-deploy).
        shutil.copytree(ACME_PACK, self.repo / ".vectimus" / "packs" / ACME_PACK.name)
        self.run("git", "init", "-q")
        self.run("git", "add", ".")
        self.run("git", "commit", "-qm", "initial")

    def run(self, *args: str, check: bool = True, env: dict | None = None, input: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        """A step's command in the workspace (``vectimus`` is the one under test)."""
        try:
            return super().run(*args, check=check, env=env, input=input, timeout=timeout)
        except sandbox.SandboxError as exc:
            raise AssertionError(str(exc)) from None

    def hook_commands(self, event: str) -> list[str]:
        """The commands init installed for a Claude Code hook event."""
        settings = json.loads((self.repo / ".claude" / "settings.local.json").read_text())
        return [h["command"] for group in settings["hooks"].get(event, []) for h in group["hooks"]
                if "vectimus" in h["command"]]

    def fire(self, event: str, payload: dict, env: dict | None = None) -> subprocess.CompletedProcess:
        """Run every installed command for ``event`` as Claude Code does (``sh -c``, JSON on stdin)."""
        commands = self.hook_commands(event)
        assert commands, f"no Vectimus hook installed for {event}"
        out = None
        for command in commands:
            ran = self.call(command, payload, env)
            out = subprocess.CompletedProcess(ran.args, ran.returncode, ran.stdout.decode(), ran.stderr.decode())
        return out

    def tool_event(self, tool: str, tool_input: dict) -> dict:
        """A PreToolUse event from the captured Claude Code payload for ``tool``, placed in this repo."""
        event = json.loads((CAPTURES / f"claude-code-2.1.197-{tool}.json").read_text())
        event.update(session_id=SESSION, cwd=str(self.repo), permission_mode="acceptEdits",
                     tool_use_id=f"toolu_{uuid.uuid4().hex[:24]}",
                     transcript_path=str(self.home / ".claude" / "projects" / f"{SESSION}.jsonl"),
                     tool_input=tool_input)
        return event

    def session_end(self) -> subprocess.CompletedProcess:
        """The SessionEnd event Claude Code sends when ``claude -p`` finishes."""
        return self.fire("SessionEnd", {
            "session_id": SESSION, "cwd": str(self.repo), "hook_event_name": "SessionEnd",
            "transcript_path": str(self.home / ".claude" / "projects" / f"{SESSION}.jsonl"),
            "reason": "other"})

    def artifact_paths(self) -> list[Path]:
        """What the workflow uploads."""
        return [self.repo / ".vectimus" / "receipts", self.repo / ".vectimus" / "keys",
                self.home / ".vectimus" / "logs"]


def decision_of(out: subprocess.CompletedProcess) -> tuple[str, str]:
    """(decision, reason) from a Claude Code hook answer; no output means allow."""
    assert out.returncode == 0, out.stderr
    if not out.stdout.strip():
        return "allow", ""
    answer = json.loads(out.stdout)["hookSpecificOutput"]
    return answer["permissionDecision"], answer["permissionDecisionReason"]


def upload_artifact(paths: list[Path], destination: Path) -> Path:
    """Copy ``paths`` into ``destination`` as upload-artifact stores them; return ``destination``."""
    root = Path(os.path.commonpath([str(p) for p in paths]))
    for path in paths:
        if path.exists():
            shutil.copytree(path, destination / path.relative_to(root), dirs_exist_ok=True)
    return destination
