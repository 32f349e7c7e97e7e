"""Leaving the evidence of one decision, so that the signed receipt is the answer the agent gets.

The answer is rendered first; then the evaluation log, the local chain and every other receipt
sink have their say, in that order, and any of them failing turns the answer into a deny before
it is given:

1. the evaluation log cannot be written: the receipt records the deny;
2. the local chain cannot be written (locked, unsafe, full disk, no key): deny, with no receipt;
   the other sinks still get the deny's body;
3. the local chain already holds this call's receipt (a retry, a fallback after the resident
   evaluator, a second hook for the same call): nothing is appended, and the answer is the
   recorded decision, unless the fresh one is stricter (the policies changed, or the receipt is
   not the evaluator's: ``docs/daemon.md``): then a receipt of the fresh one supersedes it;
4. another sink raises after the chain appended: deny, and a superseding receipt (``supersedes``
   naming the first) is chained and given to the sinks that took the first body.

So the last receipt of a call in the log always holds the decision, and the digest of the exact
bytes, the agent was given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from vectimus.adapter import HookOutput
from vectimus.model import DECISIONS, Decision, ToolCall
from vectimus.records import Record
from vectimus.wording import denied, one_line

if TYPE_CHECKING:
    from vectimus.receipts.chain import Appended


class Origin(Record):
    """Who is deciding: the hook process itself or the resident evaluator for a client."""

    evaluator: str = "hook"        # "hook" | "daemon"
    nonce: str = ""                # the hook client's nonce for this call (hex), '' without one
    notes: tuple[str, ...] = ()    # what the receipt should say about how it was made
    deadline: float | None = None  # Unix time by which the answer is due (the daemon's client waits no longer)


class Answer(Record):
    """What the hook prints and how it exits, and where its receipt is (None: no receipt written)."""

    stdout: str = ""
    exit_code: int = 0
    stderr: str = ""
    receipt: Appended | None = None


Render = Callable[[Decision], HookOutput]


def failure(reason: str) -> Decision:
    """A deny that no policy decided (bad input, internal failure)."""
    return Decision("deny", reason=denied(reason))


def rendered(render: Render, decision: Decision) -> tuple[Decision, HookOutput]:
    """``decision`` and its rendered answer; one that cannot be rendered is a deny the hook exits 2 with."""
    try:
        return decision, render(decision)
    except Exception as exc:
        decision = failure(f"cannot render the answer ({one_line(exc)})")
        return decision, HookOutput(exit_code=2, stderr=decision.reason)


def _encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


class Recorder:
    """The receipt of one call, rebuilt whenever the answer changes."""

    def __init__(self, call: ToolCall, event: bytes, render: Render, evaluation, env: dict[str, str],
                 origin: Origin):
        from vectimus import __version__
        from vectimus.config import DEFAULTS
        from vectimus.locations import user_home
        from vectimus.receipts.body import call_key, content_digest
        from vectimus.sinks import SinkContext

        self.call, self.render, self.evaluation, self.env, self.origin = call, render, evaluation, env, origin
        config = evaluation.config if evaluation is not None else None
        self.ctx = SinkContext(Path(call.project_dir), user_home(env), config.data if config else DEFAULTS,
                               env=env, deadline=origin.deadline)
        self.mode = config.mode if config else "enforce"
        self.principal = config.principal_attrs if config else {}
        self.policy_digest = evaluation.policy_set.digest if evaluation is not None else ""
        self.versions = {"vectimus": __version__}
        self.fixed = {"call_key": call_key(call), "input": content_digest(event), "nonce": origin.nonce,
                      "evaluator": origin.evaluator}
        if origin.notes:
            self.fixed["notes"] = list(origin.notes)
        if env.get("VECTIMUS_SYNTHETIC"):  # not an agent's call (doctor's canary): never one of another's
            self.fixed.update(synthetic=env["VECTIMUS_SYNTHETIC"], call_key="")

    def body(self, decision: Decision, output: HookOutput, **extra) -> dict:
        from vectimus.receipts.body import answer_digest, receipt_body

        body = receipt_body(self.call, decision, mode=self.mode, principal=self.principal,
                            policy_digest=self.policy_digest, versions=self.versions)
        body.update(self.fixed, answer=answer_digest(output.exit_code, _encoded(output.stdout),
                                                     _encoded(output.stderr)), **extra)
        return body

    def evaluation_log(self, decision: Decision) -> None:
        from vectimus.receipts.evallog import write_evaluation

        trace = getattr(self.evaluation, "trace", None)
        write_evaluation({"agent": self.call.agent, "session": self.call.session_id,
                          "tool_use": self.call.tool_use_id, "decision": decision.decision,
                          "policies": list(decision.policies), "reason": decision.reason,
                          "requests": trace.requests if trace else [],
                          "timings_ms": trace.timings_ms if trace else {}}, self.ctx.home)


def _denies(decision: Decision, reason: str) -> Decision:
    """A deny for ``reason``; one that already denies keeps its own reason first."""
    if decision.decision == "deny" and decision.reason:
        return decision._replace(reason=f"{decision.reason} (and Vectimus {reason})")
    return failure(reason)


def recorded_decision(fields: dict, fresh: Decision) -> Decision | None:
    """The decision a receipt recorded (the fresh one when they agree: same words, unredacted);
    None when the fresh one is stricter, so it must supersede the receipt."""
    if fields.get("decision") == fresh.decision and list(fields.get("policies") or ()) == list(fresh.policies):
        return fresh
    recorded = next((d for d in DECISIONS if d == fields.get("decision")), None)
    if recorded is None or DECISIONS.index(recorded) < DECISIONS.index(fresh.decision):
        return None
    return Decision(recorded, reason=str(fields.get("reason") or ""),
                    policies=tuple(str(p) for p in fields.get("policies") or ()))


def record(call: ToolCall, decision: Decision, *, event: bytes, render: Render, evaluation,
           env: dict[str, str], origin: Origin) -> Answer:
    """Render ``decision``, record it everywhere, and return the answer the records hold."""
    from vectimus.plugins import receipt_sinks
    from vectimus.receipts.sink import LocalChainSink

    rec = Recorder(call, event, render, evaluation, env, origin)
    decision, output = rendered(rec.render, decision)
    try:
        rec.evaluation_log(decision)
    except Exception as exc:
        decision, output = rendered(rec.render, _denies(decision, f"cannot write the evaluation log: {one_line(exc)}"))
    try:
        sinks = receipt_sinks()
    except Exception as exc:
        decision, output = rendered(rec.render, failure(f"cannot load the receipt sinks: {one_line(exc)}"))
        return Answer(*output)
    local = next((s for s in sinks if isinstance(s, LocalChainSink)), None)
    body = rec.body(decision, output)
    receipt = None
    if local is not None:
        try:
            receipt = local.emit(body, rec.ctx)
        except Exception as exc:
            decision, output = rendered(rec.render, _denies(decision, f"cannot write the receipt: {one_line(exc)}"))
            body = rec.body(decision, output)
        if receipt is not None and receipt.duplicate:
            recorded = recorded_decision(receipt.fields, decision)
            if recorded is not None:
                decision, output = rendered(rec.render, recorded)
                return Answer(*output)
            body = rec.body(decision, output, supersedes=receipt.seq)
            receipt = _supersede(local, body, rec, receipt)
            if receipt is None:
                decision, output = rendered(rec.render, _denies(decision, "cannot write the receipt"))
                body = rec.body(decision, output)
    took: list = []
    for sink in sinks:
        if sink is local:
            continue
        try:
            sink.emit(body, rec.ctx)
            took.append(sink)
        except Exception as exc:
            decision, output = rendered(rec.render, failure(f"receipt sink {sink.name or type(sink).__name__} failed: "
                                                  f"{one_line(exc)}"))
            body = rec.body(decision, output, **({"supersedes": receipt.seq} if receipt is not None else {}))
            receipt = _supersede(local, body, rec, receipt)
            for earlier in took:
                try:
                    earlier.emit(body, rec.ctx)
                except Exception:
                    pass  # the answer is a deny already; this sink keeps the first body
    return Answer(*output, receipt)


def _supersede(local, body: dict, rec: Recorder, receipt):
    """Chain ``body`` after the call's first receipt; None when that is impossible now."""
    if receipt is None:
        return None
    try:
        return local.emit(body, rec.ctx)
    except Exception:
        return None
