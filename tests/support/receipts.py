"""Helpers for receipt tests: a real signed receipt log in a temporary project, and ways to tamper with it."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from vectimus.model import Action, Decision, ToolCall, Verdict
from vectimus.receipts.body import receipt_body
from vectimus.receipts.chain import receipts_dir
from vectimus.receipts.verify import verify
from vectimus.receipts.sink import LocalChainSink
from vectimus.sinks import SinkContext

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "verify_receipts.py"


def make_body(i: int, *, project: Path, session: str = "s1", decision: str = "allow") -> dict:
    """The receipt body of a realistic Bash call decided ``decision``."""
    call = ToolCall(agent="claude", tool="Bash", kind="shell", cwd=str(project), project_dir=str(project),
                    command=f"echo {i} && rm -rf build-{i}", session_id=session, tool_use_id=f"toolu_{i:04d}")
    verdicts = (Verdict(Action("exec", "echo", program="echo"), "allow"),
                Verdict(Action("exec", "rm", program="rm", flags=("r", "f")), decision,
                        policies=("vectimus-destruct-001",) if decision != "allow" else ()))
    dec = Decision(decision, reason="" if decision == "allow" else "Blocked by Vectimus policy vectimus-destruct-001",
                   policies=verdicts[1].policies, verdicts=verdicts)
    return receipt_body(call, dec, mode="enforce", principal={"identity_type": "human", "groups": ["dev"]},
                        policy_digest="sha256:" + "ab" * 32, versions={"vectimus": "0.1.0", "cedarpy": "4.x"})


class Log:
    """A project with a receipt log written through the real sink."""

    def __init__(self, project: Path, home: Path, **receipts):
        self.project, self.home = project, home
        self.ctx = SinkContext(project, home, {"receipts": {"checkpoint_every": 4, **receipts}})
        self.sink = LocalChainSink()

    @property
    def dir(self) -> Path:
        return receipts_dir(self.project)

    @property
    def keys(self) -> Path:
        return self.project / ".vectimus" / "keys"

    def write(self, n: int, *, session: str = "s1", decisions=("allow", "deny", "allow", "ask"),
              at: str | None = None) -> Log:
        """``n`` receipts (made ``at`` that time, RFC 3339, when given)."""
        for i in range(n):
            body = make_body(i, project=self.project, session=session, decision=decisions[i % len(decisions)])
            self.sink.emit(body | ({"time": at} if at else {}), self.ctx)
        return self

    def end(self, session: str = "s1") -> Log:
        self.sink.end_session(self.ctx, session)
        return self

    def segment(self, index: int = 0) -> Path:
        return sorted(self.dir.glob("segment-*.jsonl"))[index]

    def lines(self, index: int = 0) -> list[bytes]:
        return self.segment(index).read_bytes().splitlines(keepends=True)

    def set_lines(self, lines: list[bytes], index: int = 0) -> None:
        self.segment(index).write_bytes(b"".join(lines))

    def verify(self, **kw):
        return verify(self.dir, self.keys, **kw)


def envelope(line: bytes) -> dict:
    return json.loads(line)


def payload(line: bytes) -> bytes:
    return base64.b64decode(envelope(line)["payload"])


def with_payload(line: bytes, new_payload: bytes) -> bytes:
    """The same envelope (same signature) carrying other payload bytes."""
    env = envelope(line)
    env["payload"] = base64.b64encode(new_payload).decode()
    return json.dumps(env, separators=(",", ":")).encode() + b"\n"


def run_example(receipts: Path, keys: Path, *extra: str) -> tuple[int, str]:
    """Run the independent example verifier; its exit code and first output line."""
    proc = subprocess.run([sys.executable, str(EXAMPLE), str(receipts), "--keys", str(keys), *extra],
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, (proc.stdout + proc.stderr).strip()
