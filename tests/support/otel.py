"""Helpers for the vectimus-otel tests: an installed project that exports to a test endpoint."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path

from tests.support.otlp import Receiver


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
        [command] = self.project.claude_hooks("SessionEnd")
        event = {"session_id": session, "cwd": str(self.project.root), "hook_event_name": "SessionEnd",
                 "reason": "other", "transcript_path": str(self.project.home / "t.jsonl")}
        started = time.monotonic()
        result = self.project.call(command, event, env)
        return result, time.monotonic() - started

    def otel(self, *args: str, check: bool = False):
        return self.project.run("vectimus", "otel", *args, check=check)

    def status(self) -> dict:
        return json.loads(self.otel("status", "--json").stdout)


def daemon_log(rundir: str) -> str:
    return "".join(p.read_text() for p in Path(rundir, "vectimus").glob("*.log"))


def signed_receipts(project: Path) -> list[dict]:
    """Every receipt of the project's log with its payload digest and signing key id."""
    out = []
    for segment in sorted((project / ".vectimus" / "receipts").glob("segment-*.jsonl")):
        for line in segment.read_bytes().splitlines():
            envelope = json.loads(line)
            payload = base64.b64decode(envelope["payload"])
            out.append({**json.loads(payload), "_digest": hashlib.sha256(payload).hexdigest(),
                        "_key": envelope["signatures"][0]["keyid"]})
    return out
