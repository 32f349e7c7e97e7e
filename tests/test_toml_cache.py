"""vectimus.toml_cache: tomllib's parse of a text, kept by the text's digest and read back as JSON."""

from __future__ import annotations

import math
import subprocess
import sys
import tomllib

import pytest

from vectimus import toml_cache
from vectimus.sha256 import sha256

DOC = '''mode = "enforce"
ci = true
groups = ["a", "b"]
ratio = 0.1
big = 9_223_372_036_854_775_807
specials = [inf, -inf, -0.0]
text = """two
lines \\u00e9"""
[packs]
enabled = ["x"]
[[servers]]
name = "one"
args = { a = 1, b = [true, false] }
'''


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VECTIMUS_HOME", str(tmp_path))
    return tmp_path


def kept(home) -> list:
    return sorted((home / "cache").glob("toml-*.json")) if (home / "cache").is_dir() else []


def test_a_text_parses_as_tomllib_parses_it_and_is_read_back_the_same(home):
    first = toml_cache.loads(DOC)
    assert first == tomllib.loads(DOC) and list(first) == list(tomllib.loads(DOC))
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"  # another interpreter's tomllib keeps its own
    assert [p.name for p in kept(home)] == [f"toml-{version}-{sha256(DOC.encode()).hexdigest()[:32]}.json"]
    again = toml_cache.loads(DOC)
    assert again == first and again is not first
    assert math.copysign(1, again["specials"][2]) == -1 and again["big"] == 2 ** 63 - 1
    again["packs"]["enabled"].append("changed")  # a caller's changes stay its own
    assert toml_cache.loads(DOC) == first


def test_a_kept_parse_is_read_without_tomllib(home):
    toml_cache.loads(DOC)
    code = ("import sys; from vectimus import toml_cache; value = toml_cache.loads(sys.stdin.read());"
            "print('tomllib' in sys.modules, value['servers'][0]['name'])")
    out = subprocess.run([sys.executable, "-c", code], input=DOC, capture_output=True, text=True, check=True,
                         env={"VECTIMUS_HOME": str(home), "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == ["False", "one"]


def test_dates_are_parsed_every_time_and_never_kept(home):
    text = 'until = 2026-01-31T17:00:00Z\nday = 2026-01-31\n'
    assert toml_cache.loads(text) == tomllib.loads(text)
    assert kept(home) == []


def test_invalid_toml_raises_tomllib_s_message_and_keeps_nothing(home):
    with pytest.raises(toml_cache.TomlError) as caught:
        toml_cache.loads("mode = \n")
    with pytest.raises(tomllib.TOMLDecodeError) as expected:
        tomllib.loads("mode = \n")
    assert str(caught.value) == str(expected.value) and isinstance(caught.value, ValueError)
    assert kept(home) == []


def test_a_damaged_or_foreign_cache_file_is_parsed_again(home):
    toml_cache.loads(DOC)
    for damage in (b"{not json", b"[1, 2]"):
        kept(home)[0].write_bytes(damage)
        assert toml_cache.loads(DOC) == tomllib.loads(DOC)


def test_an_unwritable_cache_only_costs_a_parse(home):
    (home / "cache").write_text("a file where the directory would be")
    assert toml_cache.loads(DOC) == tomllib.loads(DOC)
