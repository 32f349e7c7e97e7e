"""The shared dcg corpus: every command analyses, and a few simple fact-based rules (the kind a
policy pack writes) reproduce the corpus's expectations. This shows the facts suffice; the real
policies live in the packs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support.analysis import HOME, PROJECT, shell
from vectimus.analyser import Unanalysable
from vectimus.model import Action

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dcg" / "dcg-corpus.jsonl"
CASES = [json.loads(line) for line in CORPUS.read_text().splitlines()] if CORPUS.exists() else []
SHELL_CASES = [c for c in CASES if c["event"]["tool_name"] == "Bash"
               and isinstance(c["event"]["tool_input"].get("command"), str)]

# Where dcg's own choices differ from what facts-based rules say; each with the reason.
DISAGREE = {
    "dcg-multi_segment-21": "`rm -rf` with no operand deletes nothing; dcg blocks the words",
}


def denied(action: Action) -> bool:
    """A handful of rules in the spirit of the default packs."""
    if action.kind == "exec" and action.program == "git":
        sub, flags, args = action.subcommand, set(action.flags), set(action.args)
        return ((sub == "reset" and "hard" in flags) or (sub == "clean" and "f" in flags)
                or (sub == "push" and bool({"force", "f"} & flags))
                or (sub == "stash" and bool({"drop", "clear"} & args))
                or (sub == "branch" and "D" in flags))
    if action.kind == "exec" and action.program == "kubectl":
        return action.subcommand == "delete" and bool({"namespace", "ns", "all"} & set(action.args))
    if action.kind == "file_delete":
        t = action.target
        interpreted = any(v.split()[0] in ("python", "python3", "node", "ruby", "perl") for v in action.via)
        return ("r" in action.flags and not t.is_tmp) or t.is_system or (interpreted and "r" in action.flags)
    return False


def command_of(case: dict) -> str:
    text = case["event"]["tool_input"]["command"]
    return text.replace("$$HOME", "\0").replace("$HOME", HOME).replace("$PROJECT", PROJECT).replace("\0", "$HOME")


MISSING = f"SKIPPED: the shared dcg corpus is not at {CORPUS} (check out the shared repository beside this one)"
if not CASES and os.environ.get("CI"):
    raise RuntimeError(f"CI runs the corpus tests: {MISSING}")


@pytest.mark.skipif(not CASES, reason=MISSING)
@pytest.mark.parametrize("case", SHELL_CASES, ids=[c["id"] for c in SHELL_CASES])
def test_case(case):
    try:
        actions = shell(command_of(case))
    except Unanalysable:
        actions = None
    verdict = "deny" if actions is None or any(denied(a) for a in actions) else "allow"
    if case["id"] in DISAGREE:
        assert verdict != case["expect"], f"{case['id']} now agrees: drop it from DISAGREE"
    else:
        assert verdict == case["expect"], "\n".join(a.describe() for a in actions or [])
