"""Trees that land in a directory unnamed by the command: archives unpacked and directories copied
by Python and JavaScript code (languages/trees.py), and trees Vectimus cannot see landing on the
hook settings (programs/tree_writes.unseen)."""

from __future__ import annotations

import tarfile
import zipfile

import pytest
from tests.support.runs import Tree

HOOK = ".claude/settings.local.json"


@pytest.fixture
def tree(tmp_path):
    t = Tree(tmp_path)
    t.write(HOOK, '{"hooks": {}}')
    stage = tmp_path / "stage"
    (stage / ".claude").mkdir(parents=True)
    (stage / ".claude" / "settings.local.json").write_text("{}")
    plain = tmp_path / "plain"
    (plain / "lib").mkdir(parents=True)
    (plain / "lib" / "x.py").write_text("x = 1\n")
    for name, folder in (("hook", stage), ("plain", plain)):
        with tarfile.open(tmp_path / f"{name}.tgz", "w:gz") as tar:
            for entry in folder.iterdir():
                tar.add(entry, arcname=entry.name)
        with zipfile.ZipFile(tmp_path / f"{name}.zip", "w") as z:
            for path in sorted(folder.rglob("*")):
                z.write(path, str(path.relative_to(folder)))
    t.write("vendor/.keep", "")
    t.base = tmp_path
    return t


def hook_written(actions) -> bool:
    return any(a.kind == "file_write" and a.resource.endswith(HOOK) for a in actions)


def unseen(actions) -> bool:
    return any(a.kind == "file_write" and a.risk == "unseen-tree" for a in actions)


PY = 'python3 -c "{}"'
JS = 'node -e "{}"'


@pytest.mark.parametrize("command", [
    PY.format("import tarfile; tarfile.open('{b}/hook.tgz').extractall()"),
    PY.format("import tarfile; tarfile.open('{b}/hook.tgz').extractall('.')"),
    PY.format("import tarfile\nwith tarfile.open('{b}/hook.tgz', 'r:gz') as t:\n    t.extractall(path='.')"),
    PY.format("import tarfile as T; T.TarFile.open(name='{b}/hook.tgz').extract('.claude/settings.local.json')"),
    PY.format("import zipfile; zipfile.ZipFile('{b}/hook.zip').extractall()"),
    PY.format("from zipfile import ZipFile\nwith ZipFile(open('{b}/hook.zip', 'rb')) as z:\n    z.extractall()"),
    PY.format("import shutil; shutil.unpack_archive('{b}/hook.tgz')"),
    PY.format("import shutil; shutil.unpack_archive('{b}/hook.zip', '.', 'zip')"),
    PY.format("import shutil; shutil.copytree('{b}/stage', '.', dirs_exist_ok=True)"),
    PY.format("from shutil import copytree as c; c(src='{b}/stage', dst='.', dirs_exist_ok=1)"),
    JS.format("require('fs').cpSync('{b}/stage', '.', {{recursive: true}})"),
    JS.format("const {{cp}} = require('fs/promises'); cp('{b}/stage', '.', {{recursive: true}})"),
    JS.format("require('fs-extra').copySync('{b}/stage', '.')"),
])
def test_code_landing_a_tree_on_the_hook_settings_writes_them(tree, command):
    assert hook_written(tree.shell(command.format(b=tree.base)))


UNSEEN, NOTHING = "unseen", "nothing"


@pytest.mark.parametrize("command, outcome", [
    # a tree Vectimus cannot see over the hook settings
    ("python3 -c \"import tarfile, sys; tarfile.open(fileobj=sys.stdin.buffer, mode='r|*').extractall()\"", UNSEEN),
    ("python3 -c \"import zipfile, io, base64; zipfile.ZipFile(io.BytesIO(base64.b64decode(input()))).extractall()\"",
     UNSEEN),
    ("python3 -c \"import shutil; shutil.unpack_archive(open('name.txt').read().strip())\"", UNSEEN),
    ("curl -sL https://example.com/a.tgz | tar xz", UNSEEN), ("cat {b}/hook.tgz | tar -xz", UNSEEN),
    ("tar -xzf {b}/h*.tgz", UNSEEN), ("tar -xzf \"$(ls {b}/*.tgz | head -1)\"", UNSEEN),
    ("tar -C {b}/stage -cf - . | tar -xf -", UNSEEN), ("cp -a {b}/st*/. .", UNSEEN), ("unzip -o \"$ZIPFILE\"", UNSEEN),
    # the ordinary unpacking and copying each resembles
    ("tar -xzf {b}/plain.tgz", NOTHING), ("tar -xzf {b}/hook.tgz -C vendor", NOTHING),
    ("curl -sL https://example.com/a.tgz | tar xz -C vendor", NOTHING),
    ("git archive HEAD | tar -x -C /tmp/export", NOTHING), ("tar -xzf - -C vendor < {b}/hook.tgz", NOTHING),
    (PY.format("import tarfile; tarfile.open('{b}/plain.tgz').extractall()"), NOTHING),
    (PY.format("import tarfile; tarfile.open('{b}/hook.tgz').extractall('vendor')"), NOTHING),
    (PY.format("import shutil; shutil.unpack_archive('{b}/hook.zip', 'vendor')"), NOTHING),
    (PY.format("import shutil; shutil.copytree('{b}/plain', '.', dirs_exist_ok=True)"), NOTHING),
    (PY.format("import shutil; shutil.copytree('templates', 'build/site')"), NOTHING),
    (PY.format("import shutil; shutil.copytree('{b}/stage', 'vendor', dirs_exist_ok=True)"), NOTHING),
    (JS.format("require('fs').cpSync('{b}/plain', '.', {{recursive: true}})"), NOTHING),
    (JS.format("require('fs').cpSync('{b}/stage', 'vendor/copy', {{recursive: true}})"), NOTHING),
])
def test_unseen_trees_over_the_hook_settings_and_ordinary_unpacking(tree, command, outcome):
    actions = tree.shell(command.format(b=tree.base))
    assert not hook_written(actions), [(a.kind, a.resource, a.risk) for a in actions]
    assert unseen(actions) == (outcome == UNSEEN), [(a.kind, a.resource, a.risk) for a in actions]


@pytest.mark.parametrize("command, outcome", [
    ("cpio -idmu < {b}/x.cpio", UNSEEN), ("cpio -i -F {b}/x.cpio", UNSEEN),
    ("cd {b}/stage && find . | cpio -pdmu {root}", UNSEEN),
    ("cpio -idmu -D vendor < {b}/x.cpio", NOTHING), ("find src | cpio -pdm /tmp/copy", NOTHING),
    ("find src | cpio -o > /tmp/src.cpio", NOTHING),
])
def test_cpio_unpacks_and_copies_trees_it_cannot_list(tree, command, outcome):
    actions = tree.shell(command.format(b=tree.base, root=tree.root))
    assert unseen(actions) == (outcome == UNSEEN), [(a.kind, a.resource, a.risk) for a in actions]
