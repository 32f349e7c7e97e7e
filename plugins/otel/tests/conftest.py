"""Fixtures for vectimus-otel: a real OTLP/HTTP endpoint, and installed projects that export to it."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from otlp_receiver import Receiver  # noqa: E402


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


class Otel:
    """An installed project whose hooks export to ``receiver``, with helpers to drive and inspect it."""

    def __init__(self, project, receiver: Receiver):
        self.project = project
        self.receiver = receiver
        self.env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}
        project.env.update(self.env)

    def configure(self, **otel) -> None:
        """Write an ``[otel]`` table into the user's config."""
        config = self.project.home / ".vectimus" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{k} = {json.dumps(v)}" for k, v in otel.items()]
        config.write_text("[otel]\n" + "\n".join(lines) + "\n")

    def call(self, command: str, *, tool_use: str, session: str = "otel-session", env: dict | None = None):
        """One Bash call through the installed hook; returns the HookResult."""
        event = self.project.claude_event("Bash", {"command": command}, session_id=session, tool_use_id=tool_use)
        return self.project.call(self.project.hook_command(), event, env)

    def session_end(self, session: str = "otel-session", env: dict | None = None):
        settings = json.loads((self.project.root / ".claude" / "settings.json").read_text())
        command = next(h["command"] for g in settings["hooks"]["SessionEnd"] for h in g["hooks"])
        event = {"session_id": session, "cwd": str(self.project.root), "hook_event_name": "SessionEnd",
                 "reason": "other", "transcript_path": str(self.project.home / "t.jsonl")}
        started = time.monotonic()
        result = self.project.call(command, event, env)
        return result, time.monotonic() - started

    def otel(self, *args: str, check: bool = False):
        return self.project.run("vectimus", "otel", *args, check=check)

    def status(self) -> dict:
        return json.loads(self.otel("status", "--json").stdout)


@pytest.fixture
def otel(installed, receiver) -> Otel:
    """An installed project exporting to the test's endpoint, evaluating in-process."""
    installed.env["VECTIMUS_DAEMON"] = "0"
    return Otel(installed, receiver)


@pytest.fixture
def rundir():
    """A private runtime directory for one test's daemon, stopped afterwards."""
    path = tempfile.mkdtemp(prefix="vo-")
    yield path
    from vectimus.daemon import lifecycle

    try:
        lifecycle.stop({"XDG_RUNTIME_DIR": path})
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def otel_daemon(installed, receiver, rundir) -> Otel:
    """An installed project exporting to the test's endpoint through its own resident evaluator."""
    installed.env["XDG_RUNTIME_DIR"] = rundir
    installed.env.pop("VECTIMUS_DAEMON", None)
    return Otel(installed, receiver)


def daemon_log(rundir: str) -> str:
    return "".join(p.read_text() for p in Path(rundir, "vectimus").glob("*.log"))


def clean(env: dict) -> dict:
    return {k: v for k, v in env.items() if not k.startswith("OTEL_")} | {"PATH": os.environ["PATH"]}
