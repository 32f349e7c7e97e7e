"""A temporary directory Node code makes (fs.mkdtempSync, fs.promises.mkdtemp, Deno.makeTempDir) is
the prefix it was given and six characters: deleting it deletes there, not an unknown path."""

from __future__ import annotations

from tests.support.runs import Tree

SCRIPT = """const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = fs.mkdtempSync(path.join(%s, 'build-'));
try {
  fs.writeFileSync(path.join(dir, 'x.txt'), 'x');
} finally {
  fs.rmSync(%s, { recursive: true, force: true });
}
"""


def deletes(tmp_path, base: str, target: str):
    tree = Tree(tmp_path)
    tree.write("scripts/t.js", SCRIPT % (base, target))
    return tree, [(a.resource, a.dynamic) for a in tree.shell("node scripts/t.js") if a.kind == "file_delete"]


def test_a_temporary_directory_deleted_is_known(tmp_path):
    _, found = deletes(tmp_path, "os.tmpdir()", "dir")
    assert found == [("/tmp/build-*", False)]


def test_the_directory_above_it_is_the_base(tmp_path):
    tree, found = deletes(tmp_path, "os.homedir()", "path.dirname(dir)")
    assert found == [(str(tree.home), False)]
