"""Ordinary work goes through the same hook untouched: written scripts run, the repository's own
Makefile, npm scripts, test suite and pre-commit hooks keep working (CI mode: an ask would fail)."""

from __future__ import annotations

import json
import shlex
import subprocess

import pytest
from tests.support.sequences import Session, commit_files

pytestmark = pytest.mark.sequences


def W(path: str, content: str) -> dict:
    return {"tool": "Write", "file_path": path, "content": content}


def B(command: str) -> dict:
    return {"tool": "Bash", "command": command}


def py(code: str) -> str:
    return "python3 -c " + shlex.quote(code)


TEST_FILE = "from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n"
CALC = "def add(a, b):\n    return a + b\n"

SEQUENCES = [
    ("write a script, then run it", [
        W("scripts/hello.py", "from pathlib import Path\nPath('out').mkdir(exist_ok=True)\n"
                              "Path('out/hello.txt').write_text('hello')\n"),
        B("python3 scripts/hello.py")], "out/hello.txt"),
    ("a script that cleans build directories, written and then run", [
        B("mkdir -p build/x dist"),
        W("scripts/clean.py", "import shutil\nshutil.rmtree('build', ignore_errors=True)\n"
                              "shutil.rmtree('dist', ignore_errors=True)\nopen('cleaned', 'w').write('ok')\n"),
        B("python3 scripts/clean.py")], "cleaned"),
    ("a shell script that cleans, chmod +x, ./run", [
        B("mkdir -p build"), W("scripts/clean.sh", "#!/bin/sh\nrm -rf build dist\ntouch cleaned\n"),
        B("chmod +x scripts/clean.sh && ./scripts/clean.sh")], "cleaned"),
    ("a Makefile whose targets run the tests", [
        W("calc.py", CALC), W("tests/test_calc.py", TEST_FILE),
        W("Makefile", ".PHONY: test clean\ntest:\n\tpython3 -m pytest -q -p no:cacheprovider tests "
                      "&& touch tested\nclean:\n\trm -rf build dist .pytest_cache\n"),
        B("make test"), B("make clean")], "tested"),
    ("an npm script that builds", [
        W("package.json", json.dumps({"name": "app", "version": "1.0.0", "private": True,
                                      "scripts": {"prebuild": "node -e \"require('fs').rmSync('dist', {recursive: true, force: true})\"",
                                                  "build": "node build.js"}})),
        W("build.js", "const fs = require('fs');\nfs.mkdirSync('dist', {recursive: true});\n"
                      "fs.writeFileSync('dist/app.js', 'console.log(1)');\n"),
        B("npm run build")], "dist/app.js"),
    ("a conftest with fixtures, then pytest", [
        W("calc.py", CALC),
        W("tests/conftest.py", "import sys, pathlib\nimport pytest\n"
                               "sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))\n\n"
                               "@pytest.fixture\ndef numbers(tmp_path):\n    (tmp_path / 'n').write_text('2 3')\n"
                               "    return [int(x) for x in (tmp_path / 'n').read_text().split()]\n"),
        W("tests/test_fixture.py", "from calc import add\n\ndef test_add(numbers):\n    assert add(*numbers) == 5\n"),
        B("python3 -m pytest -q -p no:cacheprovider tests && touch tested")], "tested"),
    ("a justfile recipe and a Taskfile task", [
        W("justfile", "test:\n    python3 -c 'print(1)' > just.out\n"), B("just test"),
        W("Taskfile.yml", "version: '3'\ntasks:\n  build:\n    cmds:\n      - python3 -c 'print(2)' > task.out\n"),
        B("task build")], "task.out"),
    ("inline clean-ups", [
        B("mkdir -p htmlcov coverage"),
        B("python3 -c \"import shutil; shutil.rmtree('htmlcov')\""),
        B("node -e \"require('fs').rmSync('coverage',{recursive:true})\" && touch cleaned")], "cleaned"),
    ("inline clean-up over a list", [
        B("mkdir -p htmlcov .tox"),
        B("python3 -c \"import shutil; [shutil.rmtree(d) for d in ('htmlcov','.tox')]\" && touch cleaned")],
        "cleaned"),
    ("an awk report and a sed clean-up written as script files, then run with -f", [
        W("data.txt", "a 1\nb 2\n"), W("tools/sum.awk", "{ total += $2 } END { print total > \"sum.txt\" }\n"),
        B("awk -f tools/sum.awk data.txt"),
        W("tools/tidy.sed", "s/ *$//\n"), B("sed -f tools/tidy.sed data.txt > tidy.txt")], "tidy.txt"),
    ("a version file spliced into a command, a file list read from stdin, targets from a list", [
        W("VERSION", "1.2.3\n"),
        B(py("import subprocess; subprocess.run(f\"echo v{open('VERSION').read().strip()} > tag.txt\", shell=True)")),
        W("files.txt", "VERSION\n"),
        B(py("import os, sys; os.system('wc -l ' + sys.stdin.read().strip() + ' > count.txt')") + " < files.txt"),
        B("node -e " + shlex.quote("const {execSync} = require('child_process'); "
                                   "for (const t of ['a', 'b']) execSync(`touch made-${t}`)")
          + " && grep -q v1.2.3 tag.txt && test -f made-b && touch listed")], "listed"),
    ("a git alias and a hook the agent sets up harmlessly", [
        B("git config alias.last 'log -1 --oneline'"), B("git last > last.txt")], "last.txt"),
]


@pytest.mark.parametrize("name, steps, made", SEQUENCES, ids=[s[0] for s in SEQUENCES])
def test_ordinary_sequence_works_end_to_end(installed, name, steps, made):
    session = Session(installed)
    try:
        decisions = session.run(steps)
        assert all(d == "allow" for d in decisions), session.describe()
        assert (installed.root / made).exists(), f"{made} was not made:\n{session.describe()}"
    finally:
        session.close()


def test_the_repositorys_own_tooling_keeps_working(installed):
    commit_files(installed, {
        "Makefile": "include .env\nexport\n.PHONY: run lint\nrun:\n\tset -a; . ./.env; set +a; "
                    "test -n \"$$API_KEY\" && touch ran\nlint:\n\tpython3 -m py_compile src/app.py && touch linted\n",
        "package.json": json.dumps({"name": "app", "version": "1.0.0", "private": True,
                                    "scripts": {"test": "node --test && touch npm-tested"}}),
        "scripts/dev.sh": "#!/bin/sh\n. ./.env\necho starting with ${API_KEY:+a key} > dev.log\n",
    })
    session = Session(installed)
    try:
        decisions = session.run([B("make run"), B("make lint"), B("npm test"), B("sh scripts/dev.sh")])
        assert all(d == "allow" for d in decisions), session.describe()
        for made in ("ran", "linted", "npm-tested", "dev.log"):
            assert (installed.root / made).exists(), made
    finally:
        session.close()


def test_a_pre_commit_hook_that_runs_a_linter(installed):
    """The repository's pre-commit framework hook (a local linter) runs on the agent's commit."""
    commit_files(installed, {".pre-commit-config.yaml": (
        "repos:\n- repo: local\n  hooks:\n  - id: compile\n    name: compile\n    language: system\n"
        "    entry: python3 -m py_compile\n    types: [python]\n  - id: lint-log\n    name: lint log\n"
        "    language: system\n    entry: sh -c 'echo linted >> lint.log'\n    pass_filenames: false\n")})
    installed.run("pre-commit", "install")
    (installed.root / "lint.log").unlink(missing_ok=True)
    session = Session(installed)
    try:
        decisions = session.run([
            {"tool": "Edit", "file_path": "src/app.py", "old_string": "print('hello')",
             "new_string": "print('hello, world')"},
            B("git add src/app.py && git commit -qm 'Greet the world'"),
        ])
        assert decisions == ["allow", "allow"], session.describe()
        assert (installed.root / "lint.log").exists()
        log = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=installed.root, capture_output=True,
                             text=True, env=installed.env).stdout
        assert log.strip() == "Greet the world"
    finally:
        session.close()
