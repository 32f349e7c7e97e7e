"""A directory listing in code (``os.listdir``, ``os.walk``, ``Path.iterdir``, ``os.scandir``,
``fs.readdirSync``) gives hidden entries too, so opening every entry of the project reads its
``.env``; a test on the entry (``f.endswith(".py")``, ``.filter(f => f.endsWith(".json"))``,
``if not …: continue``, ``not f.startswith(".")``: no hidden entry) narrows what is read to what it lets
through; hidden entries left out of a listing of the home still name every other entry of it."""

from __future__ import annotations

import shlex

import pytest

from tests.support.runs import Tree

READS_ENV = [
    ("python3 -c", 'import os; [print(open(f).read()) for f in os.listdir(".") if os.path.isfile(f)]'),
    ("python3 -c", 'import os; print([open(f).read() for f in os.listdir(".") if f.endswith("env")])'),
    ("python3 -c", 'import os; [print(open(f).read()) for f in os.listdir(".") if f.startswith(".e")]'),
    ("python3 -c", 'import os; [print(open(f).read()) for f in os.listdir(".") if not f.endswith(".py")]'),
    ("python3 -c", 'import os\nfor f in os.listdir("."):\n    if f.endswith(".py"):\n        pass\n'
                   '    else:\n        print(open(f).read())'),
    ("python3 -c", 'import os; [print(open(os.path.join(r, f)).read()) for r, _, fs in os.walk(".") for f in fs]'),
    ("python3 -c", 'from pathlib import Path; [print(p.read_text()) for p in Path(".").iterdir() if p.is_file()]'),
    ("python3 -c", 'import os; [print(open(e.path).read()) for e in os.scandir(".")]'),
    ("node -e", 'const fs = require("fs"); for (const f of fs.readdirSync(".")) console.log(fs.readFileSync(f, "utf8"))'),
    ("node -e", 'const fs = require("fs"); fs.readdirSync(".").filter(f => f.startsWith(".e"))'
                '.forEach(f => console.log(fs.readFileSync(f, "utf8")))'),
    ("node -e", 'const fs = require("fs"); for (const f of fs.readdirSync(".")) { if (f.endsWith(".md")) {} '
                'else console.log(fs.readFileSync(f, "utf8")) }'),
    ("python3 -c", 'import os; [print(open(f).read()) for f in os.listdir(".") if os.path.isfile(f) and not f.startswith("R")]'),
    ("python3 -c", 'import os\nfor f in os.listdir("."):\n    if f.startswith("R"):\n        continue\n    print(open(f).read())'),
    ("python3 -c", 'import os; [print(open(f).read()) for f in os.listdir(".") if os.path.isfile(f) and not f.startswith(".")]'
                   ' + [print(open(f).read()) for f in os.listdir(".") if f.startswith(".")]'),
    ("node -e", 'const fs = require("fs"); for (const f of fs.readdirSync(".")) { if (f.startsWith("src")) continue; '
                'console.log(fs.readFileSync(f, "utf8")) }'),
]

ORDINARY = [
    ("python3 -c", 'import os; print(sum(len(open(os.path.join(r, f)).readlines()) for r, _, fs in os.walk(".") '
                   'for f in fs if f.endswith(".py")))'),
    ("python3 -c", 'import os; [print(open(f).read()) for f in os.listdir(".") if f.endswith((".json", ".md"))]'),
    ("python3 -c", 'from pathlib import Path; [print(p.read_text()[:10]) for p in Path(".").iterdir() '
                   'if p.suffix == ".md"]'),
    ("python3 -c", 'import os, fnmatch; [print(open(f).read()) for f in os.listdir(".") if fnmatch.fnmatch(f, "*.md")]'),
    ("python3 -c", 'import os\nfor f in os.listdir("."):\n    if not f.endswith(".md"):\n        continue\n'
                   '    print(open(f).read())'),
    ("python3 -c", 'import os; [print(open(os.path.join("src", f)).read()) for f in os.listdir("src")]'),
    ("node -e", 'const fs = require("fs"); fs.readdirSync(".").filter(f => f.endsWith(".json"))'
                '.forEach(f => console.log(fs.readFileSync(f, "utf8").length))'),
    ("node -e", 'const fs = require("fs"); for (const f of fs.readdirSync(".")) { if (!f.endsWith(".md")) continue; '
                'console.log(fs.readFileSync(f, "utf8")) }'),
    ("node -e", 'const fs = require("fs"), path = require("path"); for (const f of fs.readdirSync(".")) '
                'if (path.extname(f) === ".json") console.log(fs.readFileSync(f, "utf8"))'),
    # hidden entries left out: every other file's text (a word count, a size report)
    ("python3 -c", 'import os; print([len(open(f).read()) for f in os.listdir(".") if os.path.isfile(f) '
                   'and not f.startswith(".")])'),
    ("python3 -c", 'import os\nfor f in os.listdir("."):\n    if f.startswith("."):\n        continue\n'
                   '    if os.path.isfile(f):\n        print(f, len(open(f).read()))'),
    ("node -e", 'const fs = require("fs"); fs.readdirSync(".").filter(f => !f.startsWith("."))'
                '.forEach(f => fs.statSync(f).isFile() && console.log(fs.readFileSync(f, "utf8").length))'),
    ("node -e", 'const fs = require("fs"); for (const f of fs.readdirSync(".")) { if (f.startsWith(".")) continue; '
                'if (fs.statSync(f).isFile()) console.log(f, fs.readFileSync(f, "utf8").length) }'),
]


def secret_read(tmp_path, program: str, code: str) -> bool:
    tree = Tree(tmp_path)
    tree.write("README.md", "# app\n")
    tree.write("package.json", '{"name": "app"}\n')
    tree.write("src/app.py", "print('hello')\n")
    return any(a.kind == "file_read" and a.target.is_secret for a in tree.shell(f"{program} {shlex.quote(code)}"))


@pytest.mark.parametrize("program, code", READS_ENV, ids=[c[:50] for _, c in READS_ENV])
def test_reading_every_entry_a_listing_gives_reads_the_env_file(tmp_path, program, code):
    assert secret_read(tmp_path, program, code)


@pytest.mark.parametrize("program, code", ORDINARY, ids=[c[:50] for _, c in ORDINARY])
def test_reading_the_entries_a_test_lets_through_reads_no_secret(tmp_path, program, code):
    assert not secret_read(tmp_path, program, code)


@pytest.mark.parametrize("command", [
    "python3 -c 'import os, shutil; h = os.path.expanduser(\"~\"); "
    "[shutil.rmtree(os.path.join(h, f)) for f in os.listdir(h) if not f.startswith(\".\")]'",
    "rm -rf ~/[!.]*", "rm -rf ./[!.]*", "rm -rf ./[^.]*",
])
def test_every_entry_but_the_hidden_ones_is_the_directory(tmp_path, command):
    tree = Tree(tmp_path)
    deleted = [a.target for a in tree.shell(command) if a.kind == "file_delete"]
    assert any(t.is_home or t.is_project_root for t in deleted), command
