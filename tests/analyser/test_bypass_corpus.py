"""The regression corpus of bypass spellings: each case's expected actions are found, forbidden ones are not."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support.analysis import shell
from vectimus.model import Action

CASES = tomllib.loads((Path(__file__).parent / "bypass_corpus.toml").read_text())["case"]


def matches(action: Action, want: dict) -> bool:
    """True when ``action`` agrees with every field ``want`` names."""
    if action.kind != want["kind"]:
        return False
    for key, value in want.items():
        if key == "kind":
            continue
        if key == "path":
            ok = action.target.path == value
        elif key == "host":
            ok = action.net.host == value
        elif key in ("flags", "args", "via"):
            ok = set(value) <= set(getattr(action, key))
        elif key == "facts":
            facts = action.net if action.kind == "network" else action.target
            ok = all(getattr(facts, name) is True for name in value)
        elif key in ("pkg", "db", "net"):
            ok = all(getattr(getattr(action, key), k) == (tuple(v) if isinstance(v, list) else v)
                     for k, v in value.items())
        else:
            ok = getattr(action, key) == value
        if not ok:
            return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[c["command"][:50] for c in CASES])
def test_case(case):
    actions = shell(case["command"], case.get("shell", "bash"))
    shown = "\n".join(f"  {a.kind} {a.resource} flags={a.flags} via={a.via} dyn={a.dynamic}" for a in actions)
    for want in case.get("expect", []):
        assert any(matches(a, want) for a in actions), f"missing {want}\nfound:\n{shown}"
    for unwanted in case.get("forbid", []):
        assert not any(matches(a, unwanted) for a in actions), f"unexpected {unwanted}\nfound:\n{shown}"
    assert case.get("expect") or case.get("forbid"), "a case must expect or forbid something"
