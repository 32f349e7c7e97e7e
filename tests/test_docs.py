"""The documentation keeps up with the contract (datasette's ``test_docs`` idea): every hook, every
attribute and method a plugin class offers, and every environment variable core reads is
documented, and every class the hook specifications name exists."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from vectimus import adapter, hookspecs, policies, sinks

REPO = Path(__file__).resolve().parents[1]
CONTRIBUTING = (REPO / "CONTRIBUTING.md").read_text()
ALL_DOCS = "\n".join(p.read_text() for p in [REPO / "README.md", REPO / "CONTRIBUTING.md",
                                              *sorted((REPO / "docs").glob("*.md"))])


def section(title: str) -> str:
    """CONTRIBUTING's ``## title`` section, up to the next ``## ``."""
    start = CONTRIBUTING.index(f"\n## {title}\n")
    end = CONTRIBUTING.find("\n## ", start + 1)
    return CONTRIBUTING[start:end if end > 0 else None]


def hooks() -> list[str]:
    return [name for name, value in vars(hookspecs).items()
            if callable(value) and getattr(value, "vectimus_spec", None) is not None]


def public(cls: type) -> list[str]:
    """What ``cls`` itself defines for a subclass to set, call or override."""
    return [name for name in vars(cls) if not name.startswith("_")]


def test_the_contract_has_hooks():
    assert set(hooks()) == {"register_agents", "register_pack_sources", "register_receipt_sinks",
                            "register_commands"}


@pytest.mark.parametrize("hook", hooks())
def test_every_hook_is_documented(hook):
    assert f"def {hook}(" in CONTRIBUTING or f"`{hook}" in CONTRIBUTING, \
        f"{hook} is in hookspecs.py but not in CONTRIBUTING.md"


@pytest.mark.parametrize("hook", hooks())
def test_every_class_a_hook_names_exists(hook):
    doc = getattr(hookspecs, hook).__doc__ or ""
    for dotted in re.findall(r"``(vectimus(?:\.\w+)+)``", doc):
        module, _, name = dotted.rpartition(".")
        assert hasattr(importlib.import_module(module), name), f"{hook}'s docstring names {dotted}"


@pytest.mark.parametrize(("cls", "title"), [
    (adapter.AgentAdapter, "Writing an adapter"),
    (adapter.MatcherHooksAdapter, "Writing an adapter"),
    (policies.PackSource, "Writing a pack source"),
    (sinks.ReceiptSink, "Writing a receipt sink"),
], ids=lambda v: getattr(v, "__name__", None) or v)
def test_every_attribute_a_plugin_class_offers_is_documented(cls, title):
    text = section(title)
    missing = [name for name in public(cls)  # named in the text, or set or defined in an example
               if not re.search(rf"`{name}\b|^\s+{name} = |def {name}\(", text, re.MULTILINE)]
    assert not missing, f"{cls.__name__}: {missing} not documented under '{title}' in CONTRIBUTING.md"


def test_every_environment_variable_core_reads_is_documented():
    read: set[str] = set()
    for path in (REPO / "core" / "vectimus").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"VECTIMUS_[A-Z_]+", node.value):
                read.add(node.value)
    assert {"VECTIMUS_HOME", "VECTIMUS_LOAD_PLUGINS"} <= read
    missing = sorted(name for name in read if name not in ALL_DOCS)
    assert not missing, f"read by core but documented nowhere (README, CONTRIBUTING, docs/): {missing}"
