"""Attribute names are the semantic conventions' own."""

from __future__ import annotations

from opentelemetry.semconv._incubating.attributes import (
    cicd_attributes, gen_ai_attributes, session_attributes, vcs_attributes,
)

from vectimus_otel import attributes as attrs
from vectimus_otel.signed import Signed

CONVENTIONS = {getattr(module, name) for module in (cicd_attributes, gen_ai_attributes, session_attributes,
                                                     vcs_attributes) for name in dir(module) if name.isupper()}


def test_every_non_vectimus_attribute_is_a_semantic_convention():
    assert set(attrs.SEMCONV.values()) <= CONVENTIONS
    record = {"receipt": {"time": "2026-01-31T09:15:02.123456Z", "agent": "claude", "session": "s", "tool_use": "t",
                          "decision": "deny", "policies": ["p-1"], "call": {"tool": "Bash", "kind": "shell"},
                          "actions": [{"kind": "exec", "resource": "rm", "decision": "deny"}]},
              "origin": {"repository": "https://github.com/acme/app", "run_id": "7", "job": "agent"}}
    names = set(attrs.attributes(record, Signed("log", 3, "d" * 64, "k" * 64)))
    assert {n for n in names if not n.startswith("vectimus.")} <= CONVENTIONS
    assert {"vectimus.receipt.seq", "vectimus.receipt.digest", "vectimus.log.id", "vectimus.key.id",
            "vectimus.decision", "vectimus.policy.ids", "vectimus.actions"} <= names
    assert attrs.time_ns(record) == 1769850902123456000


def test_trace_ids_are_valid_and_stable():
    record = {"receipt": {"time": "t", "agent": "claude", "session": "s1", "tool_use": "u"}}
    trace, span, parent = attrs.trace_ids(record)
    assert 0 < trace < 1 << 128 and 0 < span < 1 << 64 and parent is None
    assert attrs.trace_ids(record) == (trace, span, None)
    other = attrs.trace_ids({"receipt": {**record["receipt"], "tool_use": "v"}})
    assert other[0] == trace and other[1] != span
