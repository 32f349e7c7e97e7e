"""Evaluation: a ToolCall's actions, one Cedar request each, combined into one Decision.

The strictest verdict wins (deny > ask > observe > allow). Anything that goes wrong (an
unanalysable call, a Cedar error, an invalid request) is a deny with the reason; in observe
mode it is recorded as ``observe`` and allowed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable

from vectimus import wording
from vectimus.config import Config
from vectimus.model import DECISIONS, RESOURCE_TYPES, Action, Decision, DecisionKind, ToolCall, Verdict
from vectimus.paths import Places
from vectimus.policies import PolicySet

MAX_REASON = 1200
REMEMBERED = 1024  # Cedar answers an Engine keeps (the resident evaluator's Engines live long)
_CEDAR_ID = re.compile(r"\bpolicy\d+\b")


class Trace:
    """What an evaluation did, for the evaluation log."""

    __slots__ = ("requests", "timings_ms")

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.timings_ms: dict[str, float] = {}


def principal(config: Config, agent: str) -> dict:
    """The principal as a Cedar entity: the agent, its identity type and groups."""
    return {"uid": {"type": "Vectimus::Agent", "id": agent},
            "attrs": config.principal_attrs,
            "parents": []}


def context_of(action: Action, call: ToolCall, config: Config) -> dict:
    """The Cedar context for one action: every schema attribute, always present."""
    return {
        "agent": call.agent, "tool": call.tool, "event": call.event,
        "ci": config.ci, "permission_mode": call.permission_mode, "dynamic": action.dynamic,
        "program": action.program, "program_path": action.program_path,
        "subcommand": action.subcommand, "args": list(action.args), "flags": list(action.flags),
        "via": list(action.via), "raw": action.raw, "input": action.input,
        "env": list(action.env), "deferred": action.deferred, "code": action.code._asdict(),
        "target": action.target._asdict(),
        "net": action.net._asdict(),
        "pkg": {**action.pkg._asdict(), "names": list(action.pkg.names)},
        "mcp": action.mcp._asdict(),
        "db": {**action.db._asdict(), "targets": list(action.db.targets)},
        "secrets": list(action.secrets), "risk": action.risk,
    }


def _strongest(levels: Iterable[DecisionKind]) -> DecisionKind:
    return max(levels, key=DECISIONS.index, default="allow")


def with_mcp_permission(actions: list[Action], config: Config) -> list[Action]:
    """Set ``mcp.allowed`` on MCP actions from the config's allowed servers."""
    allowed = set(config.mcp_allowed)
    return [a._replace(mcp=a.mcp._replace(allowed=a.mcp.server in allowed)) if a.kind == "mcp" else a
            for a in actions]


class Engine:
    """Evaluates tool calls against one policy set under one configuration."""

    def __init__(self, config: Config, policy_set: PolicySet):
        self.config = config
        self.policy_set = policy_set
        self._answers: dict[str, object] = {}  # a request's JSON -> Cedar's answer to it, oldest first

    def analysis(self, call: ToolCall, env: dict[str, str]):
        """The analysis of ``call``: its actions (MCP permission set) and the files it writes."""
        from vectimus.analyser import analysis

        places = Places.for_call(call.cwd, call.project_dir, env)
        tables = None
        if call.kind == "mcp":
            from vectimus.analyser.mcp_table import tables_of

            tables = tables_of(self.policy_set.packs)
        an = analysis(call, places, env, tables)
        an.actions = with_mcp_permission(an.actions, self.config)
        return an

    def decide(self, call: ToolCall, env: dict[str, str], *, can_ask: bool = True,
               trace: Trace | None = None, remember: bool = True) -> Decision:
        """Evaluate ``call``; never raises. Unless it is denied, the files it writes go to the
        session ledger (``remember``), and if that fails the call is denied."""
        trace = trace if trace is not None else Trace()
        an = None
        try:
            started = time.perf_counter()
            an = self.analysis(call, env)
            trace.timings_ms["analyse"] = (time.perf_counter() - started) * 1000
            decision = self.evaluate(an.actions, call, trace)
        except Exception as exc:  # Unanalysable, Cedar failures, anything: fail closed
            decision = Decision("deny", reason=wording.error_reason("deny", wording.one_line(exc)),
                                errors=(wording.one_line(exc),))
        decision = self.finish(decision, can_ask=can_ask)
        if remember and an is not None and decision.decision != "deny" and (an.pending or an.unseen_writes):
            from vectimus import ledger

            try:
                ledger.remember(env, call.agent, call.session_id, call.project_dir, an.pending,
                                an.unseen_writes, decision.decision)
            except ledger.LedgerError as exc:
                decision = Decision("deny", reason=wording.denied(str(exc)), errors=(str(exc),))
        return decision

    def evaluate(self, actions: list[Action], call: ToolCall, trace: Trace) -> Decision:
        """One Cedar request per action, combined (no mode/ask handling)."""
        if not actions:
            return Decision("allow")
        from vectimus.native import cedarpy as load_cedarpy

        cedarpy = load_cedarpy()

        started = time.perf_counter()
        requests, entities = self.requests(actions, call)
        results = self._authorized(cedarpy, requests, entities)
        trace.timings_ms["cedar"] = (time.perf_counter() - started) * 1000
        verdicts = []
        for action, request, result in zip(actions, requests, results):
            verdict = self._verdict(action, result)
            verdicts.append(verdict)
            trace.requests.append({"action": action.kind, "resource": action.resource,
                                   "context": request["context"], "decision": verdict.decision,
                                   "policies": list(verdict.policies), "errors": list(verdict.errors)})
        return self._combine(verdicts)

    def _authorized(self, cedarpy, requests: list[dict], entities: list[dict]) -> list:
        """Cedar's answer to each request, asking Cedar only about requests not answered before.

        Cedar is a pure function of the request, the entities and the policy set: this Engine's
        policy set is fixed, and its entities follow from the requests and its config (the
        principal's attributes; resources have none), so a request's JSON is the whole key. No
        per-request schema: the policy set was validated against it when loaded, and the requests
        are built to it (tests check them against the schema).
        """
        keys = [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in requests]
        new = {k: r for k, r in zip(keys, requests) if k not in self._answers}
        if new:
            asked = [{**r, "context": json.dumps(r["context"])} for r in new.values()]  # cedarpy takes a str as is
            for key, result in zip(new, cedarpy.is_authorized_batch(asked, self.policy_set.cedar, entities)):
                self._answers[key] = result
            for old in list(self._answers)[:max(0, len(self._answers) - REMEMBERED)]:
                del self._answers[old]
        return [self._answers[k] for k in keys]

    def requests(self, actions: list[Action], call: ToolCall) -> tuple[list[dict], list[dict]]:
        """The Cedar requests (one per action) and the entities they refer to."""
        requests, entities = [], [principal(self.config, call.agent)]
        seen = set()
        for action in actions:
            rtype = f"Vectimus::{RESOURCE_TYPES[action.kind]}"
            if (rtype, action.resource) not in seen:
                seen.add((rtype, action.resource))
                entities.append({"uid": {"type": rtype, "id": action.resource}, "attrs": {}, "parents": []})
            requests.append({
                "principal": {"type": "Vectimus::Agent", "id": call.agent},
                "action": {"type": "Vectimus::Action", "id": action.kind},
                "resource": {"type": rtype, "id": action.resource},
                "context": context_of(action, call, self.config),
            })
        return requests, entities

    def _verdict(self, action: Action, result) -> Verdict:
        diagnostics = result.diagnostics
        errors = [str(e) for e in diagnostics.errors if self._counts(str(e))]
        if errors:
            return Verdict(action, "deny", errors=tuple(errors))
        decision = result.decision.value
        if decision == "Allow":
            return Verdict(action, "allow")
        if decision != "Deny" or not diagnostics.reasons:
            return Verdict(action, "deny", errors=("Cedar reached no decision",))
        levels: dict[str, DecisionKind] = {}
        for cedar_id in diagnostics.reasons:
            policy = self.policy_set.policy_for(cedar_id)
            if policy is None:
                return Verdict(action, "deny", errors=(f"unknown policy {cedar_id} decided",))
            level = self.config.rule_enforcement(policy.id, policy.enforcement)
            if level is not None:
                levels[policy.id] = level
        if not levels:
            return Verdict(action, "allow")
        # Strongest first; equal levels by id, since Cedar reports reasons in no fixed order.
        order = sorted(levels, key=lambda pid: (-DECISIONS.index(levels[pid]), pid))
        return Verdict(action, _strongest(levels.values()), policies=tuple(order))

    def _counts(self, error: str) -> bool:
        """An evaluation error counts unless it comes from a policy the config disabled."""
        match = _CEDAR_ID.search(error)
        policy = self.policy_set.policy_for(match.group(0)) if match else None
        return policy is None or self.config.rule_enforcement(policy.id, policy.enforcement) is not None

    def _combine(self, verdicts: list[Verdict]) -> Decision:
        level = _strongest(v.decision for v in verdicts)
        if level == "allow":
            return Decision("allow", verdicts=tuple(verdicts))
        policies: list[str] = []
        for v in sorted(verdicts, key=lambda v: -DECISIONS.index(v.decision)):
            for pid in v.policies:
                if pid not in policies:
                    policies.append(pid)
        decision = Decision(level, policies=tuple(policies), verdicts=tuple(verdicts),
                            errors=tuple(e for v in verdicts for e in v.errors))
        return decision._replace(reason=self.reason(decision, wording.OBSERVE_LEVEL if level == "observe" else ""))

    def reason(self, decision: Decision, note: str = "") -> str:
        """What ``decision`` is told, at its level as it stands (``note``: why that differs from the policy's).

        It names the policy whose verdict decided (the strongest, matching most policies), its
        description, what it matched, its suggested alternative, and the other policies matched.
        The call's own text in it (what matched, an error) has its secrets redacted here, before it
        is clipped; the policy's words are never redacted (``receipts.redact.redact_reason``).
        """
        from vectimus.receipts.redact import redact

        if decision.errors:
            return _clip(wording.error_reason(decision.decision, wording.one_line(redact(decision.errors[0])), note),
                         MAX_REASON)
        top = _strongest(v.decision for v in decision.verdicts)
        first = max((v for v in decision.verdicts if v.decision == top), key=lambda v: len(v.policies))
        policy_id, action = first.policies[0], first.action
        policy = self.policy_set.policies[policy_id]
        subject = _clip(redact(action.raw or action.resource), 160)
        if action.raw and action.resource and action.resource not in action.raw:
            subject += f" → {_clip(redact(action.resource), 160)}"  # what a tool or a path resolved to
        text = wording.policy_reason(
            decision.decision, policy_id, policy.description, note=note,
            matched=f"{action.kind}: {subject}" if subject else "",
            alternative=policy.annotations.get("suggested_alternative", ""),
            others=[p for p in decision.policies if p != policy_id][:5])
        return _clip(text, MAX_REASON)

    def finish(self, decision: Decision, *, can_ask: bool) -> Decision:
        """Apply the mode: ask becomes deny where nobody can answer; observe mode allows."""
        if decision.decision == "ask" and (self.config.ci or not can_ask):
            decision = decision._replace(decision="deny")
            note = wording.NOBODY_TO_ASK["ci" if self.config.ci else "agent"]
            decision = decision._replace(reason=self.reason(decision, note))
        if self.config.mode == "observe" and decision.decision in ("deny", "ask"):
            decision = decision._replace(decision="observe")
            decision = decision._replace(reason=self.reason(decision, wording.OBSERVE_MODE))
        return decision


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
