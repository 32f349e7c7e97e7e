"""Files a command writes that its words do not name: what a patch changes, the protected files a
tree copy lands on, archives of other formats, and files edited in place (programs/tree_writes.py,
archives.py, archive_members.py)."""

from __future__ import annotations

import tarfile
import zipfile

import pytest
from tests.support.runs import Tree

HOOK_PATCH = "--- a/.claude/settings.local.json\n+++ b/.claude/settings.local.json\n@@ -1 +1 @@\n-{}\n+{ }\n"
CODE_PATCH = "--- a/src/app.py\n+++ b/src/app.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"


@pytest.fixture
def tree(tmp_path):
    t = Tree(tmp_path)
    for rel, text in {".claude/settings.local.json": "{}", "src/app.py": "x = 1\n", "hook.diff": HOOK_PATCH,
                      "code.diff": CODE_PATCH}.items():
        t.write(rel, text)
    stage = tmp_path / "stage"
    (stage / ".claude").mkdir(parents=True)
    (stage / ".claude" / "settings.local.json").write_text("{}")
    (stage / "src").mkdir()
    (stage / "src" / "app.py").write_text("x = 3\n")
    with zipfile.ZipFile(tmp_path / "hook.zip", "w") as z:
        z.write(stage / ".claude" / "settings.local.json", ".claude/settings.local.json")
    with tarfile.open(tmp_path / "hook.tar", "w") as tar:
        tar.add(stage / ".claude", arcname=".claude")
    with zipfile.ZipFile(tmp_path / "src.zip", "w") as z:
        z.write(stage / "src" / "app.py", "src/app.py")
    t.base = tmp_path
    return t


HARMFUL = [
    "git apply hook.diff", "git apply < hook.diff", "patch -p1 < hook.diff", "patch -p1 -i hook.diff",
    "patch -i hook.diff", "cp -a {b}/stage/. .", "rsync -a {b}/stage/ ./", "cp -r {b}/stage/.claude .",
    "rsync -a {b}/stage/.claude ./", "bsdtar -xf {b}/hook.zip", "7z x -y {b}/hook.zip", "7z x {b}/hook.tar",
    "7z e {b}/hook.zip -o.claude", "jar xf {b}/hook.zip", "pax -r < {b}/hook.tar", "pax -r -f {b}/hook.tar",
    "zip -m {b}/x.zip .claude/settings.local.json", "tar --remove-files -cf {b}/x.tar .claude",
    "yq -i '.hooks = {{}}' .claude/settings.local.json",
    "jq 'del(.hooks)' .claude/settings.local.json | sponge .claude/settings.local.json",
    "vim -es -c '%d' -c wq .claude/settings.local.json", "ed -s .claude/settings.local.json <<< w",
    "python3 -m zipfile -e {b}/hook.zip .", "python3 -m tarfile -e {b}/hook.tar",
    "echo .claude/settings.local.json | xargs rm", "printf '.claude/settings.local.json\\0' | xargs -0 rm",
    "printf 'x\\n.claude/settings.local.json\\n' | xargs -I{{}} rm -f {{}}",
    "find . -name settings.local.json | xargs rm", "find .claude -type f | xargs rm",
    "find . -name '*.json' -print0 | xargs -0 rm -f", "rm $(find . -name settings.local.json)",
    "for f in $(find . -maxdepth 2 -name '*.local.json'); do rm $f; done",
]
ORDINARY = [
    "git apply code.diff", "git apply --check hook.diff", "git apply --cached hook.diff", "patch -p1 < code.diff",
    "patch -p1 --dry-run < hook.diff", "cp -r {b}/stage/src .", "rsync -a {b}/stage/src/ ./src/",
    "cp -a {b}/stage/src/. src/", "7z x {b}/src.zip", "7z l {b}/hook.zip", "jar tf {b}/hook.zip",
    "pax -f {b}/hook.tar", "zip -m x.zip src/app.py", "tar --remove-files -czf src.tgz src",
    "vim -R .claude/settings.local.json", "view .claude/settings.local.json", "yq -i '.a = 1' x.yml",
    "jq . src/x.json | sponge src/x.json", "vim -es -c '%s/1/2/' -c wq src/app.py",
    "python3 -m zipfile -e {b}/src.zip out", "python3 -m zipfile -l {b}/hook.zip", "python3 -m tarfile -l {b}/hook.tar",
    "echo build dist | xargs rm -rf", "printf 'a\\nb\\n' | xargs -I{{}} rm -f {{}}.o",
    "find . -name '*.pyc' | xargs rm -f", "rm -f $(find src -name '*.o')", "find . -name '*.pyc' -mtime +3 | xargs rm",
]


@pytest.mark.parametrize("command, writes_it", [(c, True) for c in HARMFUL] + [(c, False) for c in ORDINARY])
def test_writes_of_protected_files_a_command_does_not_name(tree, command, writes_it):
    actions = tree.shell(command.format(b=tree.base))
    found = [a for a in actions if a.kind in ("file_write", "file_delete") and a.target.is_governance]
    assert bool(found) == writes_it, [(a.kind, a.resource) for a in actions]


def test_a_patch_names_the_files_it_changes(tree):
    written = {a.target.path for a in tree.shell("patch -p1 < code.diff") if a.kind == "file_write"}
    assert str(tree.root / "src" / "app.py") in written
