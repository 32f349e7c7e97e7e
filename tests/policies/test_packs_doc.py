"""docs/packs.md lists every bundled policy once, with the level it declares."""

from __future__ import annotations

import re
from pathlib import Path

from vectimus.policies import build_policy_set, bundled_packs_dir, packs_in

DOC = Path(__file__).resolve().parents[2] / "docs" / "packs.md"


def test_every_bundled_policy_is_in_the_table_at_its_level():
    rows = dict(re.findall(r"^\| `(vectimus-[a-z]+-\d{3})` \| (deny|ask|observe) \|", DOC.read_text(), re.M))
    built = build_policy_set(packs_in(bundled_packs_dir(), "bundled"))
    policies = {pid: p.enforcement for pid, p in built.policies.items()}
    assert rows == policies
    count = re.search(r"\((\d+) policies\)", DOC.read_text())
    assert count and int(count.group(1)) == len(policies)
