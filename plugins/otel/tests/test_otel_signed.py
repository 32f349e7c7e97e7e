"""Finding a decision's signed receipt in the local log, and exporting without it when it never comes."""

from __future__ import annotations

import json
import time

from vectimus_otel.export import Outcome, Sender, export_pending
from vectimus_otel.settings import resolve
from vectimus_otel.signed import SignedReceipts, decision_key
from vectimus_otel.spool import Spool

from tests.support.otel import signed_receipts


def test_receipts_are_found_back_through_older_segments(otel):
    config = otel.project.home / ".vectimus" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[receipts]\nsegment_receipts = 2\n")
    for i in range(5):
        otel.call("git status", tool_use=f"toolu_{i}")
    receipts = signed_receipts(otel.project.root)
    assert len(list((otel.project.root / ".vectimus" / "receipts").glob("segment-*.jsonl"))) == 3
    spooled = [json.loads(line) for line in (otel.project.home / ".vectimus" / "otel" / "spool.jsonl")
               .read_text().splitlines()]
    finder = SignedReceipts()
    for record in reversed(spooled):  # newest first: each older one needs an older segment
        found = finder.find(record["project"], record["receipt"])
        match = next(r for r in receipts if decision_key(r) == decision_key(record["receipt"]))
        assert found is not None and (found.seq, found.digest, found.key) == (match["seq"], match["_digest"],
                                                                            match["_key"])


def test_a_decision_waits_for_its_receipt_and_goes_without_it_when_it_never_comes(receiver, tmp_path):
    spool = Spool(tmp_path)
    receipt = {"time": "2026-01-31T09:15:02.123456Z", "agent": "claude", "session": "s", "tool_use": "t",
               "decision": "deny", "policies": ["p-1"], "call": {"tool": "Bash", "kind": "shell"}}
    spool.append({"v": 1, "t": time.time(), "project": str(tmp_path / "no-log"), "receipt": receipt,
                  "origin": {}}, 1 << 20)
    sender = Sender(resolve({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}, {}))
    with spool.exclusive(1) as turn:  # the daemon's turn: the receipt may still be being chained
        waited = export_pending(turn, sender, SignedReceipts(), deadline=time.monotonic() + 5, final=False)
    assert waited == Outcome(0, "", True) and receiver.requests == []
    with spool.exclusive(1) as turn:  # a session end's: send what there is
        sent = export_pending(turn, sender, SignedReceipts(), deadline=time.monotonic() + 5, final=True)
    assert sent == Outcome(1, "", False)
    attributes = receiver.wait_for(1)[0]["attributes"]
    assert attributes["vectimus.policy.ids"] == ["p-1"] and "vectimus.receipt.seq" not in attributes
    sender.close()
