"""An extracted archive's members land on the paths they name (programs/archive_members.py)."""

from __future__ import annotations

import tarfile
import zipfile

import pytest
from tests.support.runs import Tree


@pytest.fixture
def tree(tmp_path):
    t = Tree(tmp_path)
    t.write(".claude/settings.local.json", "{}")
    staging = tmp_path / "staging"
    (staging / ".claude").mkdir(parents=True)
    (staging / ".claude" / "settings.local.json").write_text("{}")
    (staging / "src").mkdir()
    (staging / "src" / "x.py").write_text("x = 1\n")
    (staging / "top" / ".claude").mkdir(parents=True)
    (staging / "top" / ".claude" / "settings.local.json").write_text("{}")
    for name, members in (("hook", (".claude", "src")), ("src", ("src",)), ("nested", ("top",))):
        with tarfile.open(tmp_path / f"{name}.tgz", "w:gz") as tar:
            for member in members:
                tar.add(staging / member, arcname=member)
        with zipfile.ZipFile(tmp_path / f"{name}.zip", "w") as z:
            for member in members:
                for path in sorted((staging / member).rglob("*")):
                    z.write(path, str(path.relative_to(staging)))
    t.archives = tmp_path
    return t


@pytest.mark.parametrize("command, protected", [
    ("tar -xzf {a}/hook.tgz", True), ("tar xzf {a}/hook.tgz", True), ("tar -xzf {a}/hook.tgz .claude", True),
    ("tar -xzf {a}/hook.tgz '.cl*'", True), ("tar -xzf {a}/nested.tgz --strip-components=1", True),
    ("unzip -o {a}/hook.zip", True), ("unzip -o {a}/hook.zip '.c*'", True),
    ("tar -xzf {a}/hook.tgz src", False), ("tar -xzf {a}/src.tgz", False), ("tar -xzf {a}/nested.tgz", False),
    ("tar -tzf {a}/hook.tgz", False), ("unzip -l {a}/hook.zip", False), ("unzip -o {a}/hook.zip 'src/*'", False),
    ("unzip -o {a}/src.zip", False), ("tar -xzf {a}/missing.tgz", False),
])
def test_members_extracted_onto_protected_files(tree, command, protected):
    actions = tree.shell(command.format(a=tree.archives))
    found = [a for a in actions if a.kind == "file_write" and a.target.is_governance]
    assert bool(found) == protected, [a.resource for a in actions]


def test_an_archive_that_is_not_one_is_an_unseen_tree_over_protected_files_only(tree):
    tree.write("fake.tgz", "not an archive")
    assert [a.risk for a in tree.shell("tar -xzf fake.tgz") if a.kind == "file_write"] == ["", "unseen-tree"]
    tree.write("vendor/keep.txt", "x")
    assert [a.risk for a in tree.shell("tar -xzf fake.tgz -C vendor") if a.kind == "file_write"] == [""]
