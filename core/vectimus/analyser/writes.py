"""Content written that will run later, judged when it is written.

When a call writes a file whose text it shows (the Write, Edit, MultiEdit and NotebookEdit tools
and their equivalents in other agents, ``apply_patch``, a heredoc or ``echo``/``printf`` redirect,
``tee``, a copy of a readable file) and something runs that file — a script by extension or
shebang, a ``Makefile``, ``package.json`` scripts, a ``justfile`` or ``Taskfile``, a git hook, git
configuration with aliases or hooks, ``.envrc``, shell start-up files, ``.vscode/tasks.json``,
``.devcontainer`` commands, ``.pre-commit-config.yaml``, tox configuration, Go files (their code
and ``//go:generate`` lines), Rust files, the files of Python task runners (``noxfile.py``, invoke's
``tasks.py``, ``fabfile.py``, ``dodo.py``, ``SConstruct``/``SConscript``, ``wscript``), pdm and hatch scripts in
``pyproject.toml`` / ``hatch.toml``, a ``Pipfile``'s scripts, a ``Gemfile`` and ``*.gemspec``,
``CMakeLists.txt`` and ``*.cmake``, ``pom.xml``, Gradle scripts, ``meson.build``, ``.pth`` files (their ``import`` lines run at every Python start), cargo configuration
(wrappers and runners), lint-staged and lefthook
configuration, settings naming code yarn, pnpm or bun loads, ``deno.json`` tasks, ``composer.json``
scripts, notebook cells — the file is analysed as
it will be after the write (an edit is applied to the file on disk) and every action of its code
is recorded with ``deferred`` set, attributed to the file (``context.code``). Policies decide which
of those matter at the write (stealing a secret does; a script's ``rm -rf build`` does not).

The text written is also kept for the rest of the call (``Analysis.pending``), so a command that
runs the file later in the same call is judged by it.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import json
import posixpath
import shlex

from vectimus import jsonc, patch
from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Scope, Unanalysable, Word
from vectimus.model import CodeFacts

SHELL_FILES = (".envrc", ".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zshenv",
               ".zprofile", ".zlogin", ".kshrc", ".bash_logout")
HOOK_DIRS = ("/.git/hooks/", "/.githooks/", "/.husky/", "/git-hooks/", "/githooks/")
GIT_CONFIGS = ("/.git/config", "/.gitconfig", "/.config/git/config", "/.git/config.worktree")
# Settings naming code a package manager loads (programs.js_manager_code) and manifests whose
# scripts deno or composer run (programs.manifest_scripts).
MANAGER_FILES = {".yarnrc.yml": "yarnrc", ".yarnrc": "yarnrc", "bunfig.toml": "bunfig", ".bunfig.toml": "bunfig",
                 ".npmrc": "pnpmfile", "pnpm-workspace.yaml": "pnpmfile", "deno.json": "deno", "deno.jsonc": "deno",
                 "composer.json": "composer"}

PYTHON_CONFIGS = ("pipfile", "hatch.toml", "pyproject.toml", "setup.cfg", "tox.ini", "tox.toml")
# Build files (lower case) whose commands a build tool (or linter) runs -> the programs module that judges them.
BUILD_FILES = {"cmakelists.txt": "cmake", "pom.xml": "maven", "build.gradle": "gradle", "build.gradle.kts": "gradle",
               "settings.gradle": "gradle", "settings.gradle.kts": "gradle", "meson.build": "meson",
               "pylintrc": "pylint", ".pylintrc": "pylint", "build.xml": "xml_builds"}
MSBUILD_FILES = (".csproj", ".fsproj", ".vbproj", ".proj", ".targets", ".props")  # -> xml_builds


def written(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """``cmd`` writes ``text`` to the resolved ``path``: remember it for this call, judge code in it."""
    if not path.startswith("/"):
        return
    an.pending[path] = text
    kind = runnable(path, text)
    if kind:  # what the file runs later; its actions are marked deferred
        later(an, cmd, path, lambda code_cmd: _analyse(an, code_cmd, path, runs.display(an, path), text, kind))


def runnable(path: str, text: str) -> str:
    """How a file at ``path`` holding ``text`` is run later ("" when nothing runs it)."""
    lower = path.lower()
    name = posixpath.basename(lower)
    if name.endswith(".mk"):
        return "make"
    if "file" in name:  # in every Makefile, justfile and Taskfile name: only then load their lists
        kind = _task_runner(name) or ("ruby" if name == "rakefile" else "")  # rake loads its Rakefile
        if kind:
            return kind
    if name in BUILD_FILES or name.endswith((".cmake", ".gradle", ".gradle.kts", *MSBUILD_FILES)):  # a build tool runs them
        return BUILD_FILES.get(name, "cmake" if name.endswith(".cmake") else "xml_builds" if name.endswith(MSBUILD_FILES) else "gradle")
    if name.endswith((".rake", ".gemspec")) or name == "gemfile":  # rake and bundler evaluate these
        return "ruby"
    if name.endswith((".py", "wscript")) or name.startswith(("scons", "sconstruct")):
        runner = _python_runner(name, text)
        if runner:
            return f"python-runner:{runner}"
    if name == "package.json":
        return "package.json"
    if name in MANAGER_FILES:
        return MANAGER_FILES[name]
    if name == ".pre-commit-config.yaml":
        return "pre-commit"
    if name in PYTHON_CONFIGS:  # scripts, tox environments, pylint's init-hook (programs.python_configs)
        from vectimus.analyser.programs import python_configs

        if python_configs.kinds(name, text):
            return "python-config"
    if name.startswith((".lintstagedrc", "lefthook", ".lefthook")) and not name.endswith((".js", ".cjs", ".mjs")):
        return "hook-runner"
    if name.endswith(".pth"):
        return "pth"
    if lower.endswith(("/.cargo/config.toml", "/.cargo/config")):
        return "cargo"
    if name.endswith(".go"):  # run by go run/test (and its //go:generate lines by go generate)
        return "go"
    if name.endswith(".rs"):  # run by cargo (build.rs by any build), or rustc's program
        return "rust"
    if lower.endswith("/.vscode/tasks.json"):
        return "vscode"
    if name in ("devcontainer.json", ".devcontainer.json"):
        return "devcontainer"
    if lower.endswith(GIT_CONFIGS):
        return "gitconfig"
    if name.endswith(".ipynb"):
        return "notebook"
    if text.startswith("#!"):
        lang, unknown = runs.language(path, text)
        return lang or f"unknown:{unknown}"
    ext = posixpath.splitext(name)[1].lstrip(".")
    if ext in runs.EXTENSIONS:
        return runs.EXTENSIONS[ext]
    if name in SHELL_FILES or any(d in lower for d in HOOK_DIRS):
        return "shell"
    return ""


def _hook_runner(an: Analysis, cmd: Cmd, path: str, name: str, text: str) -> None:
    """The commands a lint-staged or lefthook configuration (or ``package.json``'s hook keys) runs."""
    from vectimus.analyser.programs import hook_runners

    for label, command in hook_runners.commands(posixpath.basename(path), text):
        runs.analyse(an, cmd, command, "shell", f"{name}:{label}", True, path=path)


def _python_runner(name: str, text: str) -> str:
    """The Python task runner (nox, invoke, doit, SCons …) that runs a file named ``name``, or ""."""
    from vectimus.analyser.programs import python_runners

    return python_runners.kind_of(name, text)


def _task_runner(name: str) -> str:
    """"make", "just" or "task" for the lower-case file ``name`` those programs read by default."""
    from vectimus.analyser.programs import make, tasks

    for kind, names in (("make", make.NAMES), ("just", tasks.JUST_NAMES), ("task", tasks.TASK_NAMES)):
        if any(name == n.lower() for n in names):
            return kind
    return ""


def later(an: Analysis, cmd: Cmd, path: str, analyse) -> None:
    """Call ``analyse(cmd)`` for code that runs later (from the project root), from the file ``path``.

    Its actions are marked deferred and attributed to the file; what that code would write is not
    written by this call; past a limit the file is unread instead.
    """
    name = runs.display(an, path)
    start = len(an.actions)
    pending, unseen = dict(an.pending), an.unseen_writes
    code_cmd = cmd.with_words([Word(posixpath.basename(path))],
                              scope=Scope(an.places._replace(cwd=an.places.project)))
    try:
        analyse(code_cmd)
    except Unanalysable as exc:
        del an.actions[start:]
        runs.unread(an, code_cmd, path, name, True, str(exc))
    finally:
        an.pending, an.unseen_writes = pending, unseen
    facts = CodeFacts(file=name, by_agent=True)
    marked: dict[CodeFacts, CodeFacts] = {}  # the code facts of a file it runs, the agent's (one per file)
    actions = an.actions
    last, mark = None, facts  # consecutive actions mostly share one CodeFacts (a recipe line's, a file's)
    for i in range(start, len(actions)):
        action = actions[i]
        code = action.code
        if code is not last:
            last = code
            if not code.file:
                mark = facts
            elif code.by_agent:
                mark = code
            else:
                mark = marked.get(code) or marked.setdefault(code, code._replace(by_agent=True))
        actions[i] = action.coded(mark, True)


def _analyse(an: Analysis, cmd: Cmd, path: str, name: str, text: str, kind: str) -> None:
    from vectimus.analyser.programs import gitconfig, githooks, make, makefile, tasks

    if kind.startswith("unknown:"):
        runs.unread(an, cmd, path, name, True, f"a {kind[8:]} script, which Vectimus cannot analyse")
    elif kind == "make":
        mk = makefile.parse(text, name, an=an)
        mk.sources[name] = (path, True)
        make.analyse(an, cmd, mk, [])
    elif kind == "package.json":
        tasks.deferred_package_json(an, cmd, text, name)
        _hook_runner(an, cmd, path, name, text)
    elif kind in ("yarnrc", "bunfig", "pnpmfile"):
        from vectimus.analyser.programs import js_manager_code

        js_manager_code.deferred(an, cmd, path, text, kind)
    elif kind in ("deno", "composer"):
        from vectimus.analyser.programs import manifest_scripts

        manifest_scripts.deferred(an, cmd, path, text, kind)
    elif kind.startswith("python-runner:"):
        from vectimus.analyser.programs import python_runners

        python_runners.deferred(an, cmd, path, text, kind.partition(":")[2])
    elif kind == "python-config":
        from vectimus.analyser.programs import python_configs

        python_configs.deferred(an, cmd, path, text, name)
    elif kind in BUILD_FILES.values():  # a build tool's file: programs.<kind>.deferred
        import importlib

        importlib.import_module(f"vectimus.analyser.programs.{kind}").deferred(an, cmd, path, text)
    elif kind == "hook-runner":
        _hook_runner(an, cmd, path, name, text)
    elif kind == "just":
        tasks.deferred_justfile(an, cmd, text, name)
    elif kind == "task":
        tasks.deferred_taskfile(an, cmd, text, name)
    elif kind == "go":
        if "//go:generate" in text:
            from vectimus.analyser.programs import go

            go.directives(an, cmd, path, text, name, True)
        runs.analyse(an, cmd, text, "go", name, True, path=path)
    elif kind == "pre-commit":
        for hook_id, _, language, entry in githooks.local_hooks(text):
            githooks._local_hook(an, cmd, path, f"{name}:{hook_id}", True, language, entry)
    elif kind == "gitconfig":
        config = gitconfig.Config()
        gitconfig.parse_config(text, config, path)
        for key, value in config.values.items():
            githooks.deferred_setting(an, cmd, key, value, name)
    elif kind in ("vscode", "devcontainer"):
        for label, command in _json_commands(text, kind):
            runs.analyse(an, cmd, command, "shell", f"{name}:{label}", True, path=path)
    elif kind == "cargo":
        from vectimus.analyser.programs import cargo

        cargo.deferred(an, cmd, text)
    elif kind == "pth":  # site.py runs each line of a .pth file that starts with "import"
        code = "\n".join(line for line in text.splitlines() if line.startswith(("import ", "import\t")))
        if code:
            runs.analyse(an, cmd, code, "python", name, True, path=path)
    elif kind == "notebook":
        code = _notebook_code(text)
        if code:
            runs.analyse(an, cmd, code, "python", name, True, path=path)
    else:
        runs.analyse(an, cmd, text, kind, name, True, path=path, positional=(Word(path),))


# -- what the tools write -------------------------------------------------------------------

def tool_write(an: Analysis) -> None:
    """A file tool's write (Write, Edit, MultiEdit, NotebookEdit, apply_patch …): the files as they will be."""
    call = an.call
    cmd = Cmd(words=(), raw=call.tool, scope=Scope(an.places))
    args = call.arguments if isinstance(call.arguments, dict) else {}
    patch_text = patch.text_of(args) if call.tool == "apply_patch" else None
    for raw in call.paths:
        facts = an.target(Word(raw), cmd.scope)
        if not facts.path.startswith("/") or facts.is_dir:
            continue
        if patch_text is not None:
            text = _patched(an, facts.path, raw, patch_text)
        else:
            text = _after(an, facts.path, args, call.content)
        if text is not None:
            written(an, cmd, facts.path, text)


OLD_KEYS, NEW_KEYS = ("old_string", "old_str", "oldString"), ("new_string", "new_str", "newString")


def _after(an: Analysis, path: str, args: dict, content: str | None) -> str | None:
    """The file's text after an edit (old text replaced in what is on disk) or a whole-file write."""
    if "new_source" in args and path.endswith(".ipynb"):
        source = args.get("new_source")
        if args.get("cell_type") == "markdown" or not isinstance(source, str):
            return None
        return json.dumps({"cells": [{"cell_type": "code", "source": source}]})
    edits = args.get("edits") if isinstance(args.get("edits"), list) else None
    replacements = args.get("replacements") if isinstance(args.get("replacements"), list) else None
    if edits is None and replacements is not None:  # several files' edits in one call (Copilot)
        edits = [r for r in replacements if isinstance(r, dict) and (
            not isinstance(r.get("filePath"), str) or an.target(Word(r["filePath"]), Scope(an.places)).path == path)]
    if edits is None and any(isinstance(args.get(k), str) for k in NEW_KEYS):
        edits = [args]
    if edits is None:
        return content if isinstance(content, str) else None
    current, _ = runs.read_on_disk(an, path)  # the tool's own write is pending already: the edit applies to the disk
    text = current or ""
    for edit in edits:
        old = next((edit[k] for k in OLD_KEYS if isinstance(edit.get(k), str)), "")
        new = next((edit[k] for k in NEW_KEYS if isinstance(edit.get(k), str)), None)
        if new is None:
            continue
        if old and old in text:
            text = text.replace(old, new) if edit.get("replace_all") else text.replace(old, new, 1)
        else:
            text = text + "\n" + new  # not found: the edit fails, but judge the new text anyway
    return text


def _patched(an: Analysis, path: str, raw: str, text: str) -> str | None:
    """A file's text after an ``apply_patch`` patch (added whole, updated hunk by hunk, or the
    target of a move); None when the patch does not write ``path``."""
    try:
        files = patch.parse(text).files
    except patch.PatchError:
        return None

    def names(p: str) -> bool:
        return p == raw or an.target(Word(p), Scope(an.places)).path == path

    change = next((f for f in files if f.action != "delete"
                   and (names(f.path) or bool(f.move_to) and names(f.move_to))), None)
    if change is None:
        return None
    if change.action == "add":
        return patch.new_text(change, "")
    source = an.target(Word(change.path), Scope(an.places)).path
    current, _ = runs.read_on_disk(an, source)  # the patch applies to what the file holds now
    return patch.new_text(change, current or "")


# -- files that hold commands ---------------------------------------------------------------

def _json_commands(text: str, kind: str) -> list[tuple[str, str]]:
    """(label, shell text) of the commands a VS Code tasks.json or a devcontainer.json runs."""
    try:
        data = jsonc.loads(text)
    except (ValueError, RecursionError):  # the editor's parser recovers from errors: what runs is unknown
        raise Unanalysable(f"a {'tasks.json' if kind == 'vscode' else 'devcontainer.json'} that is not JSON") \
            from None
    if kind == "vscode":
        return _vscode_tasks(data)
    out = []
    for key in ("initializeCommand", "onCreateCommand", "updateContentCommand", "postCreateCommand",
                "postStartCommand", "postAttachCommand"):
        value = data.get(key) if isinstance(data, dict) else None
        values = value.values() if isinstance(value, dict) else [value]
        for item in values:
            if isinstance(item, str):
                out.append((key, item))
            elif isinstance(item, list) and all(isinstance(w, str) for w in item):
                out.append((key, shlex.join(item)))
    return out


OPERATING_SYSTEMS = ("linux", "osx", "windows")


def _vscode_tasks(data) -> list[tuple[str, str]]:
    """The commands of a tasks.json, on every operating system: each task's (and the file's global)
    ``command`` and ``args``, as overridden by its ``linux``/``osx``/``windows`` section, run with
    its ``options.env``; a custom ``options.shell.executable`` runs too."""
    if not isinstance(data, dict):
        return []
    out: list[tuple[str, str]] = []

    def add(label: str, spec: dict, override) -> None:
        if isinstance(override, dict):
            spec = {**spec, **override}
        options = spec.get("options")
        options = options if isinstance(options, dict) else {}
        env = options.get("env")
        env = env if isinstance(env, dict) else {}
        prefix = "".join(f"{k}={shlex.quote(str(v))} " for k, v in env.items()
                         if isinstance(k, str) and k.isidentifier())
        command = _words(spec.get("command"))
        if command:  # joined unquoted: how the editor quotes an argument varies, so any expansion counts
            out.append((label, prefix + " ".join(command + _words(spec.get("args")))))
        shell = options.get("shell")
        shell = shell if isinstance(shell, dict) else {}
        executable = _words(shell.get("executable"))
        if executable:  # started as a program, with its arguments
            out.append((f"{label} shell", prefix + shlex.join(executable + _words(shell.get("args")))))

    add("global", data, None)
    sections = [data]
    for name in OPERATING_SYSTEMS:
        add(f"global ({name})", data, data.get(name))
        if isinstance(data.get(name), dict):
            sections.append(data[name])
    for section in sections:
        tasks = section.get("tasks")
        for task in tasks if isinstance(tasks, list) else []:
            if not isinstance(task, dict):
                continue
            label = str(task.get("label") or task.get("taskName") or "task")
            add(label, task, None)
            for name in OPERATING_SYSTEMS:
                add(f"{label} ({name})", task, task.get(name))
    first: dict[str, str] = {}  # each command once, under the first label that runs it
    for label, command in out:
        first.setdefault(command, label)
    return [(label, command) for command, label in first.items()]


def _words(value) -> list[str]:
    """A command or its arguments in a tasks.json: a string, ``{"value": …}`` or a list of either."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _words(value.get("value"))
    if isinstance(value, list):
        return [w for item in value for w in _words(item)]
    return []


def _notebook_code(text: str) -> str:
    """The code cells of a notebook, joined (shell escapes ``!cmd`` become ``os.system`` calls)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return ""
    cells = data.get("cells") if isinstance(data, dict) else None
    out = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", None):
            continue
        source = cell.get("source")
        source = "".join(source) if isinstance(source, list) else source if isinstance(source, str) else ""
        if source.lstrip().startswith(("%%bash", "%%sh", "%%script")):
            out.append(f"import os; os.system({json.dumps(source.lstrip().partition(chr(10))[2])})")
            continue
        for line in source.split("\n"):
            stripped = line.lstrip()
            if stripped.startswith("!") or stripped.startswith("%%bash") or stripped.startswith("%sx"):
                out.append(f"import os; os.system({json.dumps(stripped.lstrip('!'))})")
            elif not stripped.startswith(("%", "?")):
                out.append(line)
    return "\n".join(out)
