"""Anchored pattern sets (vectimus.anchored): an anchor never hides a match, whatever its spelling."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vectimus.analyser.facts import secrets
from vectimus.anchored import AnchoredPatterns, folded
from vectimus.receipts import redact

SETS = {"redact": redact.PATTERNS, "secrets": secrets._RULES}
CASES = [(label, name) for label, rules in SETS.items() for name in rules.sources]


@pytest.mark.parametrize("label,name", CASES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_match_holds_an_anchor(label, name, data):
    rules = SETS[label]
    text = data.draw(st.from_regex(rules.sources[name]))  # a match, between any characters
    assert rules.compiled(name).search(text)
    assert name in dict(rules.candidates(text)), text


def test_letters_re_matches_without_ignoring_case_like_str_lower_are_folded():
    # (?i)s matches "ſ", (?i)i matches "ı" and "İ", (?i)k matches the Kelvin sign: each still finds its anchor
    for spelled in ("paſsword=hunter2", "credentıal=hunter2", "credentİal=hunter2", "API_\u212aEY=hunter2"):
        assert redact.PATTERNS.compiled("secret-assignment").search(spelled)
        assert "secret-assignment" in dict(redact.PATTERNS.candidates(spelled))
        assert redact.MARK in redact.redact(spelled)
    every = {
        chr(c) for c in range(128, 0x30000)
        if any(re.fullmatch(f"(?i){letter}", chr(c)) for letter in "abcdefghijklmnopqrstuvwxyz")
    }
    assert all(folded(ch).isascii() and len(folded(ch)) == 1 for ch in every), every


def test_only_the_patterns_a_text_may_match_are_compiled():
    rules = AnchoredPatterns({"a": "alpha[0-9]+", "b": "(?i)beta"}, {"a": ("alpha",), "b": ("beta",)})
    assert [name for name, _ in rules.candidates("BETA only")] == ["b"]
    assert set(rules._compiled) == {"b"}
    assert [name for name, _ in rules.candidates("alpha1 beta")] == ["a", "b"]
    with pytest.raises(ValueError):
        AnchoredPatterns({"a": "x"}, {"a": ()})
    with pytest.raises(ValueError):
        AnchoredPatterns({"a": "x"}, {"b": ("x",)})


def test_a_digest_put_in_a_secret_s_place_holds_no_redaction_anchor():
    # redact() looks for anchors once, in the text as given: a replacement must not add one
    for anchors in redact.PATTERNS.anchors.values():
        for anchor in anchors:
            assert "[" not in anchor and "]" not in anchor
            assert not set(anchor) <= set("0123456789abcdef")
            assert anchor not in folded(redact.secret_digest("any secret at all"))
            assert anchor not in folded(redact.MARK)


def test_an_ordinary_command_compiles_no_redaction_pattern():
    code = ("from vectimus.receipts import redact; redact.redact('git status --short && ls -la src/app.py');"
            "print(sorted(redact.PATTERNS._compiled))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
