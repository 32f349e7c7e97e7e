"""A Python task runner's file as Python the analyser reads the way the runner runs it
(``python_runners``): the runner's context object defined as the subprocess calls it makes, each
task called with it, and each action a runner takes from a call or a dict (SCons's ``Command``,
doit's ``"actions"``, waf's ``rule=``) made the command it runs.
Standard library only (``ast``): imported when a runner's file is read.
"""

from __future__ import annotations

import ast
import re

from vectimus.analyser.context import Unanalysable

_RUN = "_vectimus_subprocess.run"
# The methods of the object each runner calls its tasks with, as the subprocess calls they make
# (only those the file calls are defined: one never called would be read with unknown arguments).
_SHELL = "return _vectimus_subprocess.run(command, shell=True)"
_EITHER = "return _vectimus_subprocess.run(command, shell=isinstance(command, str))"  # a string in a shell
_METHODS = {
    "invoke": {"run": ("command", _SHELL), "local": ("command", _SHELL),
               "sudo": ("command", 'return _vectimus_subprocess.run("sudo " + command, shell=True)'),
               "put": ("local", 'return _vectimus_subprocess.run(["scp", local, "remote:"])'),
               "cd": ("path", "return self"), "prefix": ("command", "return self")},
    "nox": {"run": ("", "return _vectimus_subprocess.run(list(args))"),
            "run_always": ("", "return _vectimus_subprocess.run(list(args))"),
            "run_install": ("", "return _vectimus_subprocess.run(list(args))"),
            "install": ("", 'return _vectimus_subprocess.run(["python", "-m", "pip", "install", *args])'),
            "conda_install": ("", 'return _vectimus_subprocess.run(["conda", "install", *args])'),
            "chdir": ("path", "return self"), "cd": ("path", "return self")},
    "waf": {"exec_command": ("command", _EITHER), "cmd_and_log": ("command", _EITHER)},
}
_METHODS["fabric"] = _METHODS["invoke"]
_ATTRIBUTES = {"nox": "    posargs = []\n    env = {}\n", "waf": "    env = {}\n"}


def _context(kind: str, tree: ast.Module) -> str:
    """The class of the object the runner ``kind`` calls its tasks with: the methods ``tree`` calls."""
    methods = _METHODS.get(kind)
    if methods is None:
        return ""
    called = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Attribute)}
    lines = [f"    def {name}(self, {first + ', ' if first else ''}*args, **kwargs):\n        {body}\n"
             for name, (first, body) in methods.items() if name in called]
    return "class _VectimusContext:\n" + _ATTRIBUTES.get(kind, "") + "".join(lines) + "    pass\n"
# Decorators that make a function a task the runner calls with its context.
_TASK_DECORATORS = {"invoke": "task", "fabric": "task", "nox": "session"}
# Calls whose argument is an action SCons runs: name -> (position, keyword).
_SCONS_ACTIONS = {"Command": (2, "action"), "Execute": (0, "action"), "AddPostAction": (1, "action"),
                  "AddPreAction": (1, "action"), "Action": (0, "action"), "Builder": (-1, "action"),
                  "Alias": (2, "action")}
_DOIT_KEYS = ("actions", "clean", "teardown")
# The variables SCons and waf expand in an action before a shell runs it: the files a task reads
# and writes, and the usual tools (unless the file sets one, when it is unknown).
_FILES = {"TARGET": "TARGET", "TARGETS": "TARGETS", "SOURCE": "SOURCE", "SOURCES": "SOURCES",
          "TGT": "TGT", "SRC": "SRC", "CHANGED_SOURCES": "SOURCES", "UNCHANGED_SOURCES": "SOURCES"}
_TOOLS = {"CC": "cc", "CXX": "c++", "SHCC": "cc", "SHCXX": "c++", "LINK": "cc", "SHLINK": "cc", "AR": "ar",
          "AS": "as", "RANLIB": "ranlib", "PYTHON": "python3", "PERL": "perl", "CCFLAGS": "", "CFLAGS": "",
          "CXXFLAGS": "", "LINKFLAGS": "", "CPPFLAGS": "", "_CCCOMCOM": "", "_LIBFLAGS": "", "_LIBDIRFLAGS": "",
          "_CPPINCFLAGS": "", "LDFLAGS": "", "ARFLAGS": "rc"}
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)[^}]*\}|([A-Za-z_]\w*))")


def harness(kind: str, text: str) -> tuple[str, list[str | None]]:
    """(the Python to analyse for the runner ``kind``'s file holding ``text``, the SConscript
    files it names: None for one named by an unknown value); Unanalysable when it is not Python or
    holds too many tasks (the analyser's own limits apply to the rest)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise Unanalysable(f"a {kind} file that is not Python ({type(exc).__name__})") from None
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defined |= {(alias.asname or alias.name).split(".")[0] for node in tree.body
                if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    rewriter = _Actions(kind, defined, text)
    try:
        tree = rewriter.visit(tree)
        ast.fix_missing_locations(tree)
        tasks = _tasks(kind, tree)
        if len(tasks) > MAX_TASKS:
            raise Unanalysable(f"a {kind} file with more than {MAX_TASKS} tasks")
        body = ast.unparse(tree)
    except RecursionError:
        raise Unanalysable(f"a {kind} file nested too deeply to read") from None
    head = "import subprocess as _vectimus_subprocess\n" + _context(kind, tree)
    future = "".join(f"{line}\n" for line in body.splitlines() if line.startswith("from __future__"))
    body = "\n".join(line for line in body.splitlines() if not line.startswith("from __future__"))
    calls = "".join(f"{name}(_VectimusContext())\n" for name in tasks)
    return f"{future}{head}\n{body}\n{calls}", rewriter.sconscripts


MAX_TASKS = 128


def _tasks(kind: str, tree: ast.Module) -> list[str]:
    """The module-level functions the runner calls with its context: those its decorator marks
    (invoke, fabric, nox); every one with a parameter (waf's commands: ``build(bld)`` …)."""
    wanted = _TASK_DECORATORS.get(kind)
    names = {wanted} | {alias.asname for node in tree.body if isinstance(node, ast.ImportFrom)
                        for alias in node.names if alias.name == wanted and alias.asname}
    out = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not (node.args.args or
                                                                                 node.args.posonlyargs):
            continue
        if kind == "waf" or any(_name(d.func if isinstance(d, ast.Call) else d) in names
                                for d in node.decorator_list):
            out.append(node.name)
    return out


def _name(node) -> str:
    """The last part of a called or decorating name (``nox.session`` -> ``session``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _Actions(ast.NodeTransformer):
    """Each action the runner takes from a call (SCons, waf's ``rule=``) or a dict (doit), made
    the command it runs."""

    def __init__(self, kind: str, defined: set[str], text: str) -> None:
        self.kind = kind
        self.text = text
        self.defined = defined  # module-level functions and imported names: an action naming one is Python
        self.sconscripts: list[str | None] = []

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        name = _name(node.func)
        if self.kind == "scons" and name == "SConscript":
            self._sconscript(node)
        spec = _SCONS_ACTIONS.get(name) if self.kind == "scons" else None
        if spec is not None:
            position, keyword = spec
            if 0 <= position < len(node.args) and not any(isinstance(a, ast.Starred) for a in node.args[:position]):
                node.args[position] = self.action(node.args[position])
            for kw in node.keywords:
                if kw.arg == keyword or kw.arg in ("action", "generator"):
                    kw.value = self.action(kw.value)
        if self.kind == "waf":
            for kw in node.keywords:
                if kw.arg == "rule":
                    kw.value = self.action(kw.value)
        return node

    def visit_Dict(self, node: ast.Dict):
        self.generic_visit(node)
        if self.kind == "doit":
            for i, key in enumerate(node.keys):
                if isinstance(key, ast.Constant) and key.value in _DOIT_KEYS:
                    node.values[i] = self.action(node.values[i], many=True)
        return node

    def action(self, node, many: bool = False):
        """The expression for what running the action ``node`` does (a tuple of those for a list
        of actions)."""
        if isinstance(node, (ast.List, ast.Tuple)) and (many or self.kind == "scons") and not _callable_tuple(node):
            return ast.Tuple([self.one(e) for e in node.elts], ast.Load())
        return self.one(node)

    def one(self, node):
        if isinstance(node, ast.Tuple) and _callable_tuple(node):  # doit's (function, args): Python code
            return node
        if isinstance(node, (ast.List, ast.Tuple, ast.ListComp)):  # a program and its arguments
            return _call(_RUN, node)
        if isinstance(node, ast.Lambda) or (isinstance(node, ast.Name) and node.id in self.defined):
            return node  # Python the analyser reads where it is defined
        if isinstance(node, ast.Constant) and not isinstance(node.value, str):
            return node
        if isinstance(node, ast.Constant) and self.kind in ("scons", "waf"):
            node = ast.Constant(_VARIABLE.sub(self._variable, node.value))
        return _call(_RUN, node, shell=True)  # a command line, or a value that may be one

    def _variable(self, match: re.Match) -> str:
        """A variable the runner expands in an action: a file it names, a usual tool, else unknown."""
        name = match.group(1) or match.group(2)
        if name in _FILES:
            return _FILES[name]
        if name in _TOOLS and not re.search(rf"\b{name}\b\s*=|[\"']{name}[\"']", self.text):
            return _TOOLS[name]
        return match.group(0)

    def _sconscript(self, node: ast.Call) -> None:
        values = [*node.args[:1], *[kw.value for kw in node.keywords if kw.arg in ("dirs", "script", "name")]]
        for value in values:
            items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
            for item in items:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    is_dir = any(kw.arg == "dirs" and kw.value is value for kw in node.keywords)
                    self.sconscripts.append(f"{item.value}/SConscript" if is_dir else item.value)
                else:
                    self.sconscripts.append(None)


def _callable_tuple(node) -> bool:
    return isinstance(node, ast.Tuple) and bool(node.elts) and isinstance(node.elts[0], (ast.Name, ast.Attribute,
                                                                                          ast.Lambda))


def _call(func: str, arg, shell: bool = False) -> ast.Call:
    keywords = [ast.keyword("shell", ast.Constant(True))] if shell else []
    return ast.Call(ast.parse(func, mode="eval").body, [arg], keywords)
