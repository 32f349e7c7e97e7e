"""A throwaway project installed the way users install Vectimus: the one builder behind
``vectimus demo``, ``vectimus policy test``, the test suite's projects and the CI rehearsal.

A ``Sandbox`` is a git repository under a HOME of its own, with an environment that inherits
nothing Vectimus, an agent or CI would read. ``init`` runs ``vectimus init`` there; ``call`` runs a
hook command the way an agent does (``/bin/sh -c``, the event as JSON on stdin); ``answer`` reads
Claude Code's answer back as ``(decision, reason)``. CLI-only (never on the hook's path).
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

from vectimus.errors import VectimusError

#: Variables a throwaway project never inherits: they would change what Vectimus, an agent or CI does.
INHERITED_NEVER = ("VECTIMUS_", "GITHUB_", "CLAUDE_", "CURSOR_", "OTEL_", "TRACEPARENT", "RUNNER_", "VIRTUAL_ENV")


class SandboxError(VectimusError):
    """A step of building or installing the throwaway project failed."""


def vectimus_command(bindir: Path | None = None) -> list[str]:
    """How to run ``vectimus``: ``bindir``'s, else this environment's own."""
    if bindir is not None:
        return [str(bindir / "vectimus")]
    from vectimus.install import vectimus_executable

    return vectimus_executable()


def clean_env(home: Path, bindir: Path | None = None, name: str = "Vectimus") -> dict[str, str]:
    """An environment for a throwaway project: its own HOME, the ``vectimus`` under test first on
    PATH, a git identity, and nothing inherited from ``INHERITED_NEVER`` (nor ``CI``, ``TMPDIR``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_NEVER) and k not in ("CI", "TMPDIR")}
    env["HOME"] = str(home)
    env["PATH"] = f"{Path(vectimus_command(bindir)[0]).parent}{os.pathsep}{env.get('PATH', '')}"
    email = f"{name.lower()}@example.invalid"
    env.update(GIT_AUTHOR_NAME=name, GIT_COMMITTER_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_EMAIL=email)
    return env


class Sandbox:
    """A git repository ``root`` under its own ``home``, where Vectimus can be installed."""

    def __init__(self, root: Path, home: Path, env: dict[str, str], bindir: Path | None = None):
        self.root = root
        self.home = home
        self.env = env
        self.bindir = bindir

    @classmethod
    def create(cls, home: Path, root: Path, files: dict[str, str] | None = None, *, commit: bool = False,
               bindir: Path | None = None, env: dict[str, str] | None = None) -> Sandbox:
        """``root`` (under ``home``) made a git repository holding ``files`` (relative path -> text),
        committed when ``commit``; ``env`` is added to the clean environment."""
        root.mkdir(parents=True, exist_ok=True)
        for rel, text in (files or {}).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        sandbox = cls(root, home, {**clean_env(home, bindir), **(env or {})}, bindir)
        sandbox.run("git", "init", "-q")
        if commit:
            sandbox.run("git", "add", "-A")
            sandbox.run("git", "commit", "-qm", "initial")
        return sandbox

    def run(self, *args: str, check: bool = True, env: dict | None = None, input: str | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        """Run a command in the project (``vectimus`` is the one under test); SandboxError when it
        fails and ``check``."""
        cmd = [*vectimus_command(self.bindir), *args[1:]] if args[0] == "vectimus" else list(args)
        out = subprocess.run(cmd, cwd=self.root, env={**self.env, **(env or {})}, input=input,
                             capture_output=True, text=True, timeout=timeout)
        if check and out.returncode != 0:
            raise SandboxError(f"{' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}".strip())
        return out

    def init(self, *flags: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """``vectimus init`` with ``flags`` (default ``--ci``)."""
        return self.run("vectimus", "init", *(flags or ("--ci",)), env=env)

    def hook_command(self, agent: str = "claude") -> str:
        """The hook command ``init`` installed for ``agent``, wherever its adapter put it."""
        from vectimus.plugins import find_agent

        adapter = find_agent(agent)
        commands = adapter.installed_commands(self.root) if adapter is not None else []
        if not commands:
            raise SandboxError(f"vectimus init installed no {agent} hook in {self.root}")
        return commands[0]

    def call(self, command: str, payload: Any, env: dict | None = None,
             cwd: Path | None = None) -> subprocess.CompletedProcess:
        """Run a hook ``command`` as an agent does: through ``/bin/sh -c``, ``payload`` on stdin
        (a dict is sent as JSON); stdout and stderr as bytes."""
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        data = payload.encode() if isinstance(payload, str) else payload
        return subprocess.run(["/bin/sh", "-c", command], cwd=cwd or self.root, env={**self.env, **(env or {})},
                              input=data, capture_output=True, timeout=120)

    def claude_event(self, tool: str, tool_input: dict, **extra) -> dict:
        """A Claude Code PreToolUse event for this project, shaped like the captured real ones."""
        return {"session_id": "sandbox-session", "transcript_path": str(self.home / ".claude" / "t.jsonl"),
                "cwd": str(self.root), "permission_mode": "default", "hook_event_name": "PreToolUse",
                "tool_name": tool, "tool_input": tool_input, "tool_use_id": f"toolu_{uuid.uuid4().hex[:24]}",
                **extra}


def answer(out: Any) -> tuple[str, str]:
    """``(decision, reason)`` from a Claude Code hook's answer (a finished hook process, or the
    ``Answer`` the hook's ``respond`` returns): ``allow`` when it printed nothing, ``deny`` when it
    exited 2, ``error`` for anything an agent could not read."""
    code = out.returncode if hasattr(out, "returncode") else out.exit_code
    stdout, stderr = (s.decode(errors="replace") if isinstance(s, bytes) else s or "" for s in (out.stdout, out.stderr))
    if code == 2:
        return "deny", stderr.strip()
    if code != 0:
        return "error", f"hook exited {code}: {stderr.strip()[:300]}"
    try:
        data = json.loads(stdout) if stdout.strip() else {}
    except ValueError:
        return "error", f"hook printed something that is not JSON: {stdout[:200]!r}"
    hso = data.get("hookSpecificOutput", {}) if isinstance(data, dict) else {}
    return hso.get("permissionDecision", "allow"), hso.get("permissionDecisionReason", "")
