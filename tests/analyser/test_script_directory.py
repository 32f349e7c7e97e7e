"""Where a script is: ``${BASH_SOURCE[0]}`` of a script bash runs is that script (a sourced file's,
and its functions', stay unknown), and ``$(cd DIR && pwd)`` prints the directory it moved to
(cd_prefix). The deletes such a script makes are then the paths they name: the project's build
directory, or the home."""

from __future__ import annotations

import pytest
from tests.support.analysis import shell


def deletes(tree, script: str, command: str = "bash scripts/x.sh"):
    tree.write("scripts/x.sh", script, 0o755)
    return [(a.resource, a.dynamic) for a in tree.shell(command) if a.kind == "file_delete"]


@pytest.mark.parametrize("script", [
    'SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"\nrm -rf "$SCRIPT_DIR/../build"\n',
    'ROOT="$(cd "$(dirname "$0")/.."; pwd -P)"\nrm -rf "$ROOT/build"\n',
    'cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1\nrm -rf build\n',
])
def test_the_scripts_own_directory_is_known(tree, script):
    assert deletes(tree, script) == [(str(tree.root / "build"), False)]
    assert deletes(tree, script, "./scripts/x.sh") == [(str(tree.root / "build"), False)]


def test_a_directory_reached_by_cd_is_the_one_deleted(tree):
    assert deletes(tree, 'D="$(cd ~ && pwd)"\nrm -rf "$D"\n') == [(str(tree.home), False)]


@pytest.mark.parametrize("command", ['X=$(cd build || pwd); rm -rf "$X"', 'X=$(cd a && ls); rm -rf "$X"',
                                     'X=$(cd a && echo b && pwd); rm -rf "$X"'])
def test_anything_else_printed_is_unknown(command):
    assert all(a.dynamic for a in shell(command) if a.kind == "file_delete")


def test_a_sourced_files_own_name_is_unknown(tree):
    tree.write("~/lib.sh", 'wipe() { rm -rf "$(dirname "${BASH_SOURCE[0]}")"; }\n')
    found = deletes(tree, 'source ~/lib.sh\nwipe\nrm -rf "$(dirname "${BASH_SOURCE[0]}")/tmp"\n')
    assert found and all(dynamic for _, dynamic in found)
    assert all(a.dynamic for a in tree.shell('bash -c \'rm -rf "$(dirname "${BASH_SOURCE[0]}")"\'')
               if a.kind == "file_delete")
