"""Ruby's Marshal.load and YAML.unsafe_load and PHP's unserialize of data from a file the agent wrote
(written where the hook could not read it, or not): code nobody read, the agent's; the same loads of
the repository's own data, or before the agent wrote anything, are ordinary; safe loaders stay ordinary."""

from __future__ import annotations

import pytest
from tests.support.runs import Tree

LOADS = [
    ("load.rb", "data = Marshal.load(File.binread('cache/state.bin'))\nputs data.size\n", "ruby load.rb"),
    ("load.rb", "require 'yaml'\nconfig = YAML.unsafe_load_file('cache/state.bin')\n", "ruby load.rb"),
    ("load.rb", "require 'yaml'\nconfig = Psych.unsafe_load(File.read('cache/state.bin'))\n", "ruby load.rb"),
    ("", "", "ruby -e 'p Marshal.restore(IO.binread(\"cache/state.bin\"))'"),
    ("load.php", "<?php\n$state = unserialize(file_get_contents('cache/state.bin'));\nvar_dump($state);\n", "php load.php"),
    ("", "", "php -r 'var_dump(unserialize(file_get_contents(\"cache/state.bin\")));'"),
]


def _unread(actions) -> list:
    return [a for a in actions if a.code.unread and "objects" in a.code.unread]


@pytest.mark.parametrize("script, code, command", LOADS, ids=[c[2] for c in LOADS])
def test_loading_objects_from_the_agents_file_is_code_nobody_read(tree: Tree, script, code, command):
    from vectimus import ledger

    if script:
        tree.write(script, code)
    tree.write("cache/state.bin", "\x04\bo:\x08Gadget\x00")
    assert not _unread(tree.shell(command)), "the repository's own data"
    ledger.remember(tree.env, "claude", "s1", str(tree.root), {str(tree.root / "cache/state.bin"): None}, False, "allow")
    found = _unread(tree.shell(command))
    assert found and all(a.code.by_agent for a in found), command


@pytest.mark.parametrize("code", ["require 'yaml'\nYAML.safe_load(File.read('cache/state.bin'))\n",
                                  "require 'json'\nJSON.parse(File.read('cache/state.bin'))\n",
                                  "YAML.load_file('config.yml')\n"])
def test_safe_loaders_of_the_agents_file_stay_ordinary(tree: Tree, code):
    from vectimus import ledger

    tree.write("load.rb", code)
    tree.write("cache/state.bin", "{}")
    ledger.remember(tree.env, "claude", "s1", str(tree.root), {str(tree.root / "cache/state.bin"): None}, False, "allow")
    assert not [a for a in tree.shell("ruby load.rb") if a.code.unread]


def test_a_load_of_data_not_from_a_named_file_is_unread_once_the_agent_wrote_files(tree: Tree):
    from vectimus import ledger

    tree.write("load.rb", "data = STDIN.read\nobj = Marshal.load(data)\n")
    assert not _unread(tree.shell("ruby load.rb < x"))
    ledger.remember(tree.env, "claude", "s1", str(tree.root), {str(tree.root / "x"): None}, False, "allow")
    assert _unread(tree.shell("ruby load.rb < x"))
