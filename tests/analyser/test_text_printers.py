"""printf with a %s format, dirname and basename print known text (text_printers): the deletes they
feed are the paths they name, the home or a credential directory as much as a build directory."""

from __future__ import annotations

import pytest
from tests.support.analysis import HOME, PROJECT, deleted, shell
from tests.support.runs import Tree

from vectimus.analyser import text_printers


@pytest.mark.parametrize(("args", "out"), [
    (["%s\\n", "build", "dist"], "build\ndist\n"),
    (["%s %s\\n", "a", "b", "c"], "a b\nc \n"),
    (["--", "%s,", "x"], "x,"),
    (["100%% %s\\n", "done"], "100% done\n"),
    (["no conversion\\n", "ignored"], "no conversion\n"),
    (["%s\\n"], "\n"),
])
def test_printf_applies_a_string_format(args, out):
    assert text_printers.printf(args) == out


@pytest.mark.parametrize("args", [["%d\\n", "1"], ["%-10s\\n", "a"], ["%b", "x"], ["-v", "x", "%s", "a"],
                                  ["%s\\c", "a"], ["50%"], []])
def test_printf_is_unknown_past_a_string_format(args):
    assert text_printers.printf(args) is None


@pytest.mark.parametrize(("path", "out"), [
    ("scripts/clean.sh", "scripts"), ("clean.sh", "."), ("/a/b/", "/a"), ("/a", "/"), ("/", "/"), ("", "."),
    ("a//b", "a"),
])
def test_dirname(path, out):
    assert text_printers.dirname([path]) == out


def test_basename():
    assert text_printers.basename(["/a/b/app.tar.gz", ".gz"]) == "app.tar"
    assert text_printers.basename(["dir/"]) == "dir"
    assert text_printers.basename(["-s", ".py", "x.py"]) is None


def test_a_string_format_hands_its_words_to_xargs():
    assert deleted(shell("printf '%s\\n' build dist | xargs rm -rf")) == [f"{PROJECT}/build", f"{PROJECT}/dist"]
    assert HOME in deleted(shell("printf '%s\\n' build ~ | xargs rm -rf"))


def test_the_directory_above_a_script_is_known(tmp_path):
    tree = Tree(tmp_path)
    tree.write("scripts/clean.sh", 'cd "$(dirname "$0")/.."\nrm -rf build\n', 0o755)
    actions = tree.shell("bash scripts/clean.sh")
    assert [(a.resource, a.dynamic) for a in actions if a.kind == "file_delete"] == [(str(tree.root / "build"), False)]
    tree.write("scripts/wipe.sh", 'cd "$(dirname "$HOME/x")"\nrm -rf .\n', 0o755)
    assert str(tree.home) in {a.resource for a in tree.shell("bash scripts/wipe.sh") if a.kind == "file_delete"}
