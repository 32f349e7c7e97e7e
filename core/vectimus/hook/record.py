"""Leaving the evidence of one decision: the evaluation log and every receipt sink."""

from __future__ import annotations

from pathlib import Path

from vectimus.model import Decision, ToolCall


def record(call: ToolCall, decision: Decision, evaluation, env: dict[str, str]) -> None:
    """Give the decision's receipt to every receipt sink and trace it in the evaluation log."""
    from vectimus import __version__
    from vectimus.engine import principal
    from vectimus.locations import user_home
    from vectimus.plugins import collect
    from vectimus.receipts.body import receipt_body
    from vectimus.receipts.evallog import write_evaluation
    from vectimus.sinks import SinkContext

    config = evaluation.config
    body = receipt_body(call, decision, mode=config.mode, principal=principal(config, call.agent)["attrs"],
                        policy_digest=evaluation.policy_set.digest, versions={"vectimus": __version__})
    ctx = SinkContext(Path(call.project_dir), user_home(env), config.data, env)
    for sink in collect("register_receipt_sinks"):
        sink.emit(body, ctx)
    write_evaluation({"agent": call.agent, "session": call.session_id, "tool_use": call.tool_use_id,
                      "decision": decision.decision, "policies": list(decision.policies),
                      "requests": evaluation.trace.requests, "timings_ms": evaluation.trace.timings_ms},
                     ctx.home)
