"""The example pack in examples/ works as documented, through the installed hook."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vectimus.examples import judge, pack_examples

PACK = Path(__file__).parent.parent / "examples" / "custom-pack" / "acme-deploy"


@pytest.mark.parametrize("example", pack_examples(PACK), ids=lambda e: f"{e.expect}:{e.label}:{e.env}")
def test_custom_pack_example(installed, example):
    shutil.copytree(PACK, installed.root / ".vectimus" / "packs" / PACK.name)
    result = installed.call(installed.hook_command(), example.event(installed.root, installed.home), env=example.env)
    hso = (json.loads(result.stdout) if result.stdout else {}).get("hookSpecificOutput", {})
    assert judge(example, hso.get("permissionDecision", "allow"), hso.get("permissionDecisionReason", "")) is None
