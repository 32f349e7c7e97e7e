"""Answering one hook event: the function both the in-process hook and the daemon run.

``respond`` takes the agent name, the raw event bytes and the hook process's environment and
returns what the hook prints and how it exits. The hook client calls it when it evaluates
in-process; the resident evaluator (``vectimus.daemon.server``) calls it with cached
``Evaluation`` objects, so decisions, receipts and evaluation logs are made the same way on both
paths. It imports the standard library, the adapter, and what evaluation needs; never typer,
rich, pluggy or tomlkit. Whatever goes wrong, the answer is a deny with a one-line reason, rendered
the way the agent expects.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from vectimus.adapter import AdapterError, AgentAdapter, SessionEvent
from vectimus.daemon.protocol import MAX_EVENT_BYTES
from vectimus.hook.evaluate import Evaluation
from vectimus.hook.record import Answer, Origin, failure, record, rendered
from vectimus.plugins import find_agent
from vectimus.wording import denied, one_line

USAGE = "usage: vectimus hook --agent NAME"

EvaluationFor = Callable[[str, dict], Evaluation]


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


def handle(adapter: AgentAdapter, data: bytes, env: dict[str, str],
           evaluation_for: EvaluationFor | None = None, origin: Origin = Origin()) -> Answer:
    """Decide one raw event for ``adapter`` and record it; never raises (but lets a BaseException through).

    ``evaluation_for(project, env)`` supplies the Evaluation (default: a new one; the daemon
    passes its cache). Every decision about a parsed call, a config error's deny included, is
    recorded; an event that cannot be parsed is denied without a receipt (it names no project).
    A session's end is left to the hook process itself when the daemon is asked.
    """
    call = evaluation = None
    try:
        parsed = adapter.parse(decode_event(data), env)
        if isinstance(parsed, SessionEvent):
            if origin.evaluator != "hook":
                return Answer()  # no receipt: the daemon declines, the hook process seals
            from vectimus.session_end import end_session

            # seals the log and writes the CI job summary; never raises, never fails the session
            return Answer(stderr=end_session(parsed, env))
        call = parsed
        evaluation = (evaluation_for or Evaluation)(call.project_dir, env)
        decision = evaluation.decide(call, adapter, env)
    except AdapterError as exc:
        decision = failure(str(exc))
    except Exception as exc:  # config, packs, engine: fail closed
        decision = failure(f"{exc.__class__.__name__}: {one_line(exc)}")
    if call is None:
        return Answer(*rendered(lambda d: adapter.render(d, None), decision)[1])
    return record(call, decision, event=data, render=lambda d: adapter.render(d, call), evaluation=evaluation,
                  env=env, origin=origin)


def respond(agent: str | None, data: bytes, env: dict[str, str],
            evaluation_for: EvaluationFor | None = None, origin: Origin = Origin()) -> Answer:
    """The whole hook for one raw event: find the agent's adapter, decide, record, render; never raises."""
    try:
        adapter = find_agent(agent) if agent else None
        if adapter is None:
            why = f"no Vectimus adapter for agent {agent!r} is installed" if agent else USAGE
            return Answer(exit_code=2, stderr=denied(why))
        return handle(adapter, data, env, evaluation_for, origin)
    except Exception as exc:  # exit 2 blocks in every agent that has hooks
        return Answer(exit_code=2, stderr=denied(f"internal error ({exc!r})"))
