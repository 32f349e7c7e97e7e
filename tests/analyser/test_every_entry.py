"""Deleting every entry the project shows, one name at a time (``rm -rf $(ls)``, ``ls | xargs rm
-rf``, a loop over ``$(ls)``), is a delete of the project's contents, as ``rm -rf *`` is; deleting
some of them, or names given on the input (``echo build dist | xargs rm -rf``), is not."""

from __future__ import annotations

import pytest

from tests.support.runs import Tree


@pytest.fixture
def tree(tmp_path):
    tree = Tree(tmp_path)
    for name in ("README.md", "src/app.py", "build/x.o", "dist/a.whl"):
        tree.write(name, "x\n")
    return tree


def project_deleted(tree: Tree, command: str) -> bool:
    return any(a.kind == "file_delete" and a.target.is_project_root for a in tree.shell(command))


@pytest.mark.parametrize("command", ["rm -rf $(ls)", "ls | xargs rm -rf", "ls | xargs -I{} rm -rf {}",
                                     "for f in $(ls); do rm -rf $f; done", "rm -rf README.md src build dist",
                                     "rm -rf README.md src && rm -rf build dist"])
def test_deleting_every_entry_deletes_the_projects_contents(tree, command):
    assert project_deleted(tree, command), command


@pytest.mark.parametrize("command", ["rm -rf build dist", "echo build dist | xargs rm -rf",
                                     "printf 'build\\ndist\\n' | xargs -I{} rm -rf {}", "rm -rf $(ls -d build dist)",
                                     "rm -f src/*.pyc build/*.o"])
def test_deleting_some_entries_is_ordinary(tree, command):
    assert not project_deleted(tree, command), command


def test_names_on_the_input_of_xargs_are_known():
    """``echo a b | xargs rm -rf`` deletes a and b, nothing unknown."""
    from tests.support.analysis import shell

    actions = shell("echo build dist | xargs rm -rf")
    assert sorted(a.target.name for a in actions if a.kind == "file_delete") == ["build", "dist"]
    assert not any(a.dynamic for a in actions)
    assert any(a.dynamic for a in shell("cat list.txt | xargs rm -rf") if a.kind == "file_delete")
