"""``vectimus hook --agent NAME``: read one agent event on stdin, answer in the agent's format.

This is the hot path. It imports the standard library, the adapter, and what evaluation needs;
never typer, rich, pluggy or tomlkit. Whatever goes wrong, the answer is a deny with a one-line
reason, printed the way the agent expects; nothing else ever reaches stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from vectimus.adapter import AdapterError, AgentAdapter, HookOutput, SessionEvent
from vectimus.model import Decision, ToolCall

MAX_EVENT_BYTES = 8 * 1024 * 1024
USAGE = "usage: vectimus hook --agent NAME"


def deny(reason: str) -> Decision:
    """A deny that no policy decided (bad input, internal failure)."""
    return Decision("deny", reason=f"Vectimus denied this call: {reason}")


def find_adapter(name: str) -> AgentAdapter | None:
    """The installed adapter called ``name`` (through the cached plugin discovery)."""
    from vectimus.plugins import collect

    return next((a for a in collect("register_agents") if a.name == name), None)


def decode_event(data: bytes):
    """Decode stdin as a JSON value; raise AdapterError with a one-line reason."""
    if len(data) > MAX_EVENT_BYTES:
        raise AdapterError(f"hook input larger than {MAX_EVENT_BYTES // (1024 * 1024)} MiB")
    if not data.strip():
        raise AdapterError("empty hook input")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise AdapterError("hook input is not valid UTF-8") from None
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise AdapterError(f"hook input is not valid JSON ({str(exc).splitlines()[0][:80]})") from None


class Evaluation:
    """Everything needed to decide for one project: config, policy set, engine."""

    def __init__(self, project: str, env: dict[str, str]):
        from vectimus.config import load_config
        from vectimus.engine import Engine
        from vectimus.policies import load_policy_set

        config = load_config(Path(project), env)
        self.engine = Engine(config, load_policy_set(Path(project), config))

    def decide(self, call: ToolCall, adapter: AgentAdapter, env: dict[str, str]) -> Decision:
        from vectimus.engine import Trace

        self.trace = Trace()
        started = time.perf_counter()
        decision = self.engine.decide(call, env, can_ask=adapter.supports_ask, trace=self.trace)
        self.trace.timings_ms["total"] = (time.perf_counter() - started) * 1000
        return decision

    def record(self, call: ToolCall, decision: Decision, env: dict[str, str]) -> None:
        """Give the decision's receipt to every receipt sink and trace it in the evaluation log."""
        from vectimus import __version__
        from vectimus.engine import principal
        from vectimus.locations import user_home
        from vectimus.plugins import collect
        from vectimus.receipts.body import receipt_body
        from vectimus.receipts.evallog import write_evaluation
        from vectimus.sinks import SinkContext

        config = self.engine.config
        body = receipt_body(call, decision, mode=config.mode, principal=principal(config, call.agent)["attrs"],
                            policy_digest=self.engine.policy_set.digest, versions={"vectimus": __version__})
        ctx = SinkContext(Path(call.project_dir), user_home(env), config.data)
        for sink in collect("register_receipt_sinks"):
            sink.emit(body, ctx)
        write_evaluation({"agent": call.agent, "session": call.session_id, "tool_use": call.tool_use_id,
                          "decision": decision.decision, "policies": list(decision.policies),
                          "requests": self.trace.requests, "timings_ms": self.trace.timings_ms},
                         ctx.home)


def seal_session(event: SessionEvent, env: dict[str, str]) -> None:
    """A session ended: let every receipt sink seal what it wrote (a signed checkpoint)."""
    from vectimus.config import load_config
    from vectimus.locations import user_home
    from vectimus.plugins import collect
    from vectimus.sinks import SinkContext

    project = Path(event.project_dir)
    ctx = SinkContext(project, user_home(env), load_config(project, env).data)
    for sink in collect("register_receipt_sinks"):
        sink.end_session(ctx, event.session_id)


def handle(adapter: AgentAdapter, data: bytes, env: dict[str, str]) -> HookOutput:
    """Decide one raw event for ``adapter``; never raises."""
    call = None
    try:
        event = decode_event(data)
        parsed = adapter.parse(event, env)
        if isinstance(parsed, SessionEvent):
            from vectimus.session_end import end_session

            end_session(parsed, env)  # seals (seal_session) and writes the CI job summary; never raises
            return HookOutput()
        call = parsed
        evaluation = Evaluation(call.project_dir, env)
        decision = evaluation.decide(call, adapter, env)
        evaluation.record(call, decision, env)
    except AdapterError as exc:
        decision = deny(str(exc))
    except Exception as exc:  # config, packs, engine: fail closed
        decision = deny(f"{exc.__class__.__name__}: {' '.join(str(exc).split())[:300]}")
    try:
        return adapter.render(decision, call)
    except Exception as exc:
        return HookOutput(exit_code=2, stderr=f"Vectimus denied this call: cannot render answer ({exc})")


def parse_args(argv: list[str]) -> str | None:
    """The agent name from ``--agent NAME`` / ``--agent=NAME``."""
    for i, arg in enumerate(argv):
        if arg == "--agent" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--agent="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str]) -> int:
    """Run the hook: stdin -> decision -> stdout / stderr / exit code."""
    try:
        name = parse_args(argv)
        adapter = find_adapter(name) if name else None
        if adapter is None:
            why = f"no Vectimus adapter for agent {name!r} is installed" if name else USAGE
            out = HookOutput(exit_code=2, stderr=f"Vectimus denied this call: {why}")
        else:
            out = handle(adapter, sys.stdin.buffer.read(MAX_EVENT_BYTES + 1), dict(os.environ))
    except BaseException as exc:  # last resort: exit 2 blocks in every agent that has hooks
        out = HookOutput(exit_code=2, stderr=f"Vectimus denied this call: internal error ({exc!r})")
    if out.stdout:
        sys.stdout.write(out.stdout)
        sys.stdout.flush()
    if out.stderr:
        sys.stderr.write(out.stderr.rstrip("\n") + "\n")
    return out.exit_code
