"""Redaction never touches a policy's words: every bundled policy's reason is recorded verbatim.

The redaction patterns are for the call's text (commands, URLs, errors), and applied to a whole
reason they garbled policy text: ``vectimus-secrets-001: Reads a secret file`` reads like
``<name containing "secret">: <value>`` and was stored as ``…: [REDACTED:sha256:…] a secret file``.
Now the call's text is redacted when the reason is composed, and the receipt and the evaluation
log keep the reason the agent was told.
"""

from __future__ import annotations

import json

import pytest

from vectimus.config import load_config
from vectimus.engine import Engine
from vectimus.model import Action, Decision, ToolCall, Verdict
from vectimus.policies import build_policy_set, bundled_packs_dir, packs_in
from vectimus.receipts.body import receipt_body
from vectimus.receipts.evallog import LOG_NAME, write_evaluation
from vectimus.wording import sentence

BUNDLED = build_policy_set(packs_in(bundled_packs_dir(), "bundled"))
SECRET = "ghp_" + "A1b2C3d4" * 4
COMMAND = f"git push https://x:{SECRET}@github.com/o/r --password hunter22 TOKEN=abcdef123456"


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    home = tmp_path_factory.mktemp("home")
    return Engine(load_config(home, {"HOME": str(home)}), BUNDLED)


@pytest.mark.parametrize("pid", sorted(BUNDLED.policies))
def test_every_bundled_policys_reason_survives_verbatim(pid, engine, tmp_path):
    policy = BUNDLED.policies[pid]
    call = ToolCall(agent="claude", tool="Bash", kind="shell", cwd="/p", project_dir="/p", command=COMMAND)
    action = Action("exec", "git", program="git", raw=COMMAND)
    for level in ("deny", "ask", "observe"):
        decision = Decision(level, policies=(pid,), verdicts=(Verdict(action, level, policies=(pid,)),))
        decision = decision._replace(reason=engine.reason(decision))
        body = receipt_body(call, decision, mode="enforce", principal={}, policy_digest="sha256:00",
                            versions={"vectimus": "1"})
        assert body["reason"] == decision.reason  # the receipt holds what the agent was told
        assert f"Vectimus policy {pid}: {sentence(policy.description)}" in body["reason"]
        alternative = policy.annotations.get("suggested_alternative", "")
        assert sentence(f"Instead: {alternative}") in body["reason"]
        assert "Matched exec: git push https://x:[REDACTED:sha256:" in body["reason"]
        for secret in (SECRET, "hunter22", "abcdef123456"):
            assert secret not in json.dumps(body)
    write_evaluation({"reason": decision.reason, "policies": [pid], "requests": [{"raw": COMMAND}]}, tmp_path)
    logged = json.loads((tmp_path / "logs" / LOG_NAME).read_text())
    assert logged["reason"] == decision.reason and SECRET not in json.dumps(logged)


def test_a_reason_no_policy_composed_is_redacted_whole():
    call = ToolCall(agent="claude", tool="Bash", kind="shell", cwd="/p", project_dir="/p", command="x")
    failure = Decision("deny", reason=f"Vectimus denied this call: sink failed posting to https://u:{SECRET}@h/")
    body = receipt_body(call, failure, mode="enforce", principal={}, policy_digest="", versions={})
    assert SECRET not in body["reason"] and body["reason"].startswith("Vectimus denied this call: sink failed")
