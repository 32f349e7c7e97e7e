"""The shape of core/: no import cycle (deferred imports count) and no module past the size a
reader takes in at once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "core"
MAX_LINES = 450


def modules() -> dict[str, Path]:
    """Every module under core/ by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(CORE).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _run(tree: ast.AST):
    """Every node of ``tree`` that can run: all but the body of ``if TYPE_CHECKING:``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            node.body = []
    return ast.walk(tree)


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The core modules ``name`` imports anywhere in its text, functions included (only what the
    type checker alone reads is left out): ``from a.b import c`` is the module ``a.b.c`` when there
    is one, else ``a.b``; relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in _run(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                head = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*head, base] if base else head)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in known else base)
    return {m for m in out if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle once, as the path that closes it (depth-first, iterative)."""
    found, state = [], {}
    for start in graph:
        if start in state:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        trail = [start]
        state[start] = 1
        while stack:
            node, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                state[node] = 2
                stack.pop()
                trail.pop()
            elif state.get(dep) == 1:
                found.append([*trail[trail.index(dep):], dep])
            elif dep not in state:
                state[dep] = 1
                trail.append(dep)
                stack.append((dep, iter(sorted(graph[dep]))))
    return found


def test_the_checker_sees_a_deferred_cycle_and_a_relative_one(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "one.py").write_text("def f():\n    from . import two\n")
    (pkg / "two.py").write_text("from pkg.one import f\nif TYPE_CHECKING:\n    import pkg\n")
    known = {"pkg": pkg / "__init__.py", "pkg.one": pkg / "one.py", "pkg.two": pkg / "two.py"}
    graph = {n: imports(n, p, known) for n, p in known.items()}
    assert graph["pkg.one"] == {"pkg.two"} and graph["pkg.two"] == {"pkg.one"}
    assert cycles(graph) == [["pkg.one", "pkg.two", "pkg.one"]]


def test_no_import_cycle_in_core():
    known = modules()
    assert "vectimus.analyser.pipeline" in known and "vectimus.hook.client" in known
    graph = {name: imports(name, path, known) for name, path in known.items()}
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


@pytest.mark.parametrize("name, path", sorted(modules().items()))
def test_no_module_is_longer_than_a_reader_takes_in(name, path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines (> {MAX_LINES}): split it by responsibility"


# -- the test tree -------------------------------------------------------------------------------

REPO = CORE.parent
TEST_TREES = [REPO / "tests", *sorted(REPO.glob("adapters/*/tests")), *sorted(REPO.glob("plugins/*/tests"))]
SUPPORT = REPO / "tests" / "support"


def test_helpers_live_in_tests_support():
    """A test tree holds test modules and conftest files; what they share is in tests/support/ (a
    package built and installed by a test, with its pyproject.toml, is data)."""
    stray = [str(p.relative_to(REPO)) for tree in TEST_TREES for p in tree.rglob("*.py")
             if not p.name.startswith("test_") and p.name != "conftest.py" and SUPPORT not in p.parents
             and not any((d / "pyproject.toml").exists() for d in p.parents if tree in d.parents)]
    assert not stray, f"helpers outside tests/support/: {stray}"


def test_no_test_module_imports_a_conftest_or_another_test_module():
    found = []
    for tree in TEST_TREES:
        for path in tree.rglob("*.py"):
            if SUPPORT in path.parents:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else \
                    ["." + (node.module or "")] if isinstance(node, ast.ImportFrom) else []
                for name in names:
                    last = name.rpartition(".")[2]
                    if name.startswith(".") or last == "conftest" or last.startswith("test_"):
                        found.append(f"{path.relative_to(REPO)}: {name}")
        for path in tree.rglob("*.py"):  # code a test runs in a child process, as text
            for m in re.finditer(r"(?:from|import) (conftest|test_\w+)\b", path.read_text()):
                found.append(f"{path.relative_to(REPO)}: {m.group(0)} (in a string)")
    assert not found, "import from tests/support/ instead: " + "; ".join(found)


# -- what an analysis looks at ----------------------------------------------------------------

# Modules an analysis runs: every look they take at the filesystem goes through ``vectimus.world``,
# which notes it, so a kept analysis (``analyser.replay``) is used again only while it holds.
ANALYSIS = ("vectimus.analyser", "vectimus.paths", "vectimus.protected")
RAW_LOOKS = {
    "os": {"stat", "lstat", "listdir", "scandir", "walk", "fwalk", "access", "open", "readlink", "fstat", "read"},
    "os.path": {"isfile", "isdir", "exists", "lexists", "islink", "realpath", "getsize", "getmtime", "samefile"},
    "glob": {"glob", "iglob"}, "zipfile": {"ZipFile", "is_zipfile"}, "tarfile": {"open"}, "io": {"open"},
}
PATH_METHODS = {"read_text", "read_bytes", "iterdir", "is_file", "is_dir", "rglob", "resolve", "exists"}
# Looks of a module's own, each handed to ``world.seen`` (which notes its answer)
OWN_LOOKS = {"vectimus.analyser.programs.archive_members": {"_listed"}}


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else ""


def raw_looks(name: str, source: str) -> list[str]:
    """Where ``source`` looks at the filesystem other than through ``vectimus.world``."""
    tree = ast.parse(source)
    skipped = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name in OWN_LOOKS.get(name, ())
               for n in ast.walk(f)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute):
            head, _, attr = _dotted(node).rpartition(".")
            if attr in RAW_LOOKS.get(head, ()):
                found.append(f"{where} {head}.{attr}")
            elif node.attr in PATH_METHODS and isinstance(node.value, ast.Call) and _dotted(node.value.func) in ("Path", "pathlib.Path"):
                found.append(f"{where} Path(…).{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            found.append(f"{where} open()")
        elif isinstance(node, ast.ImportFrom) and node.module in ("vectimus.realpath", "os", "os.path", "glob"):
            found += [f"{where} from {node.module} import {a.name}" for a in node.names
                      if node.module == "vectimus.realpath" or a.name in RAW_LOOKS.get(node.module, ())]
    return found


def test_the_checker_sees_a_raw_look():
    source = ("import os, glob\nfrom pathlib import Path\nfrom os.path import isfile\n"
              "def f(p):\n    os.path.isfile(p); open(p); glob.iglob(p); Path(p).read_text(); os.scandir(p)\n"
              "    return world.isfile(p), os.path.join(p, 'x'), world.read(p, 1)\n")
    assert sorted(f.split(" ", 1)[1] for f in raw_looks("m", source)) == sorted([
        "from os.path import isfile", "os.path.isfile", "open()", "glob.iglob", "Path(…).read_text", "os.scandir"])


def test_an_analysis_looks_at_the_filesystem_only_through_world():
    found = [hit for name, path in modules().items() if name.startswith(ANALYSIS)
             for hit in raw_looks(name, path.read_text())]
    assert not found, "look through vectimus.world instead: " + "; ".join(found)
