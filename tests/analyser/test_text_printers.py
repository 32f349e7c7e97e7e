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


@pytest.mark.parametrize(("args", "tmpdir", "out"), [
    ([], None, "/tmp/tmp.XXXXXXXXXX"), (["-d", "-q"], "/var/t/", "/var/t/tmp.XXXXXXXXXX"),
    (["-d", "-t", "app-XXXXXX"], None, "/tmp/app-XXXXXX"), (["-dt", "app.XXX"], "/var/t", "/var/t/app.XXX"),
    (["-t", "-p", "out", "a.XXXX"], None, "out/a.XXXX"), (["-d", "build/tmp.XXXXXX"], None, "build/tmp.XXXXXX"),
    (["-d", "-p", "build", "x.XXXXXX"], None, "build/x.XXXXXX"), (["--tmpdir", "x.XXXXXX"], "/tt", "/tt/x.XXXXXX"),
    (["--tmpdir=out", "x.XXXXXX"], None, "out/x.XXXXXX"), (["-p", "build"], None, "build/tmp.XXXXXXXXXX"),
    (["-d", "/home/u/x.XXXXXX"], None, "/home/u/x.XXXXXX"),
])
def test_mktemp_names_the_template_where_it_is_made(args, tmpdir, out):
    assert text_printers.mktemp(args, tmpdir) == out


@pytest.mark.parametrize("args", [["-d", "x.XX"], ["-d", "-t", "a/b.XXXXXX"], ["--suffix=.txt", "x.XXXX"],
                                  ["-d", "a.XXX", "b.XXX"], ["-p"], ["-dx", "a.XXX"], ["--tmpdir", "a/b.XXX"]])
def test_mktemp_is_unknown_past_what_it_makes_plainly(args):
    assert text_printers.mktemp(args, None) is None


def test_a_directory_mktemp_makes_from_a_template_deletes_only_itself(tmp_path):
    tree = Tree(tmp_path)
    assert deleted(tree.shell('D=$(mktemp -d -t ci-XXXXXX); rm -rf "$D"')) == ["/tmp/ci-XXXXXX"]
    assert str(tree.home) in deleted(tree.shell('D=$(mktemp -d ~/ci.XXXXXX); rm -rf "$D/.."'))


@pytest.mark.parametrize(("args", "out"), [
    (["+%Y%m%d"], "20000101"), (["-u", "+%Y-%m-%dT%H:%M:%SZ"], "2000-01-01T00:00:00Z"), (["+%F_%T"], "2000-01-01_00:00:00"),
    (["+%s"], "946684800"), (["+build-%y%j.%N"], "build-00001.000000000"), (["+100%%"], "100%"),
])
def test_date_prints_a_time_stamp_of_its_format(args, out):
    assert text_printers.date(args) == out


@pytest.mark.parametrize("args", [[], ["+%Z"], ["+%Y/%m"], ["+%a %b"], ["-d", "x", "+%F"], ["+%F", "+%T"], ["--help"],
                                  ["+../%Y"], ["-R"]])
def test_date_is_unknown_past_a_numeric_format(args):
    assert text_printers.date(args) is None


def test_a_file_named_by_the_time_is_a_known_file(tmp_path):
    tree = Tree(tmp_path)
    log = f"{tree.root}/logs/run-20000101.log"
    assert log in {a.resource for a in tree.shell('exec > >(tee -a "logs/run-$(date +%Y%m%d).log")') if a.kind == "file_write"}
    assert deleted(tree.shell("rm -rf backups/$(date +%F)")) == [f"{tree.root}/backups/2000-01-01"]
    assert str(tree.home) in deleted(tree.shell('rm -rf ~/"$(date +%Y)"/..'))
