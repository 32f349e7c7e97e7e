"""Virtual environments made over a directory, packages installed into a named directory, and what a
requirements file or a local project installs: each judged by the directory it changes or the
package it names, so the environment Vectimus runs from stays Vectimus's; with the ordinary work
each resembles."""

from __future__ import annotations

import sys

import pytest


def vectimus_changed(actions) -> list:
    """The file actions that write or delete Vectimus's own installation."""
    return [a for a in actions if a.kind in ("file_write", "file_delete") and a.target.is_vectimus]


def installed(actions) -> list:
    return [name for a in actions if a.kind == "package" for name in a.pkg.names]


@pytest.mark.parametrize("command", [
    "python3 -m venv --clear {prefix}", "python3 -m venv {prefix}", "python3 -m virtualenv -p python3.12 {prefix}",
    "virtualenv --clear {prefix}", "uv venv {prefix}", "uv venv --allow-existing --python 3.12 {prefix}",
    "pip install --target {site} ./pkg", "pip install -t {site} requests", "pip install --prefix {prefix} x",
    "uv pip install --target {site} requests",
])
def test_an_environment_made_or_filled_over_vectimus_changes_it(tree, command):
    site = next(p for p in sys.path if p.endswith("site-packages"))
    actions = tree.shell(command.format(prefix=sys.prefix, site=site))
    assert vectimus_changed(actions), command


@pytest.mark.parametrize("command, kind, path", [
    ("python3 -m venv --clear .venv", "file_delete", ".venv"), ("uv venv", "file_delete", ".venv"),
    ("python3 -m venv .venv", "file_write", ".venv/pyvenv.cfg"), ("virtualenv build/env", "file_write",
                                                                    "build/env/pyvenv.cfg"),
    ("uv venv --allow-existing venvs/a", "file_write", "venvs/a/pyvenv.cfg"),
    ("pip install --target vendor requests", "file_write", "vendor"),
])
def test_an_ordinary_environment_is_a_project_write(tree, command, kind, path):
    actions = tree.shell(command)
    assert not vectimus_changed(actions)
    assert [a for a in actions if a.kind == kind and a.resource == str(tree.root / path)], command


def test_uv_venv_keeps_the_interpreter_links_it_replaces_out_of_its_writes(tree):
    """``.venv/bin/python`` links to the base interpreter: replacing the link writes nothing there."""
    (tree.root / ".venv" / "bin").mkdir(parents=True)
    (tree.root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    assert not vectimus_changed(tree.shell("python3 -m venv .venv"))


@pytest.mark.parametrize("files, command, name", [
    ({"r.txt": "vectimus==0.0.1\n"}, "pip install -r r.txt", "vectimus"),
    ({"r.txt": "-r more/base.txt\n", "more/base.txt": "Vectimus_Claude<1\n"}, "pip install -r r.txt",
     "vectimus-claude"),
    ({"r.txt": "-e ./fork\n", "fork/pyproject.toml": '[project]\nname = "vectimus"\n'}, "uv pip install -r r.txt",
     "vectimus"),
    ({"fork/setup.py": "from setuptools import setup\nsetup(name='vectimus', version='9')\n"},
     "pip install ./fork", "vectimus"),
    ({"fork/setup.cfg": "[metadata]\nname = vectimus\n", "fork/setup.py": "from setuptools import setup\nsetup()\n"},
     "pip install fork/", "vectimus"),
    ({"fork/pyproject.toml": '[tool.other]\nname = "x"\n[project]\nname = "vectimus-codex"\n'},
     "pip install vendor/../fork", "vectimus-codex"),
])
def test_what_a_requirements_file_or_local_project_names_is_installed(tree, files, command, name):
    for rel, text in files.items():
        tree.write(rel, text)
    assert name in installed(tree.shell(command)), command


@pytest.mark.parametrize("files, command, names", [
    ({"r.txt": "pytest==8.0  # tests\nrequests>=2 ; python_version > '3'\n--index-url https://pypi.org/simple\n"},
     "pip install -r r.txt", ["pytest", "requests"]),
    ({"lib/pyproject.toml": '[tool.poetry]\nname = "vectimus"\n[project]\nname = "mylib"\n'},
     "pip install -e lib", ["mylib"]),
    ({}, "pip install -r missing.txt", []),
])
def test_ordinary_requirements_name_what_they_install(tree, files, command, names):
    for rel, text in files.items():
        tree.write(rel, text)
    assert installed(tree.shell(command)) == names


@pytest.mark.parametrize("files, command, name", [
    ({"helper/pyproject.toml": '[project]\nname = "helper"\n', "helper/vectimus/__init__.py": ""},
     "pip install ./helper", "vectimus"),
    ({"helper/pyproject.toml": '[project]\nname = "helper"\n', "helper/src/vectimus_claude/__init__.py": ""},
     "pip install -e helper", "vectimus-claude"),
    ({"helper/setup.py": "from setuptools import setup\nsetup(py_modules=['vectimus'])\n", "helper/vectimus.py": ""},
     "pip install ./helper", "vectimus"),
    ({"pyproject.toml": '[project]\nname = "app"\ndependencies = ["requests", "Vectimus[otel] @ file:///tmp/fake"]\n'},
     "pip install -e .", "vectimus"),
    ({"pyproject.toml": '[project]\nname = "app"\ndependencies = ["vectimus>=1"]\n'
                        '[tool.uv.sources]\nvectimus = { path = "../fake", editable = true }\n'}, "uv sync", "vectimus"),
    ({"pyproject.toml": '[project]\nname = "app"\n[tool.poetry.dependencies]\n'
                        'vectimus-codex = { git = "https://github.com/x/fork" }\n'}, "poetry install", "vectimus-codex"),
])
def test_a_local_project_that_ships_or_pins_vectimus_installs_it(tree, files, command, name):
    for rel, text in files.items():
        tree.write(rel, text)
    assert name in installed(tree.shell(command)), command


@pytest.mark.parametrize("files", [
    {"pyproject.toml": '[project]\nname = "policy-pack"\ndependencies = ["vectimus>=1.0"]\n', "src/pack/__init__.py": ""},
    {"pyproject.toml": '[project]\nname = "app"\n', "src/app/vectimus_notes.md": "", "docs/vectimus/index.md": ""},
])
def test_a_project_that_depends_on_vectimus_from_the_registry_installs_only_itself(tree, files):
    for rel, text in files.items():
        tree.write(rel, text)
    assert not [n for n in installed(tree.shell("pip install -e .")) if n.startswith("vectimus")]
