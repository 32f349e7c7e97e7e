"""Build tools whose XML project files run commands: MSBuild and Ant.

- ``dotnet build|test|run|pack|publish|restore|clean|msbuild`` and ``msbuild`` evaluate the project
  file (the one named, else the ``*.csproj``/``*.fsproj``/``*.vbproj`` in the directory, or the
  projects a ``*.sln`` lists), the ``Directory.Build.props`` and ``Directory.Build.targets`` above
  it, and the local files it ``<Import>``s; every ``<Exec Command="…">`` of a target may run (which
  targets a build reaches is not followed), and an inline task (``<UsingTask>`` with a
  ``TaskFactory``) is code nobody read. ``$(Property)`` is what a ``<PropertyGroup>`` sets, or unknown.
- ``ant [-f FILE] [targets]`` runs ``build.xml``'s targets: their ``<exec>``/``<apply>``, ``<get>``
  and ``<delete>`` tasks (as Maven's antrun, ``programs.maven``); ``${property}`` from ``<property>``.

Read with the standard library's XML parser (expat: entity expansion bounded; files size-bounded by
``runs.read``). Standard library only: imported when one of these runs.
"""

from __future__ import annotations

import posixpath
import re

from vectimus import world
from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.programs import maven

MAX_FILES = 32
PROJECTS = (".csproj", ".fsproj", ".vbproj", ".proj")
DOTNET_BUILDS = ("build", "test", "run", "pack", "publish", "restore", "clean", "msbuild", "build-server", "watch")
DOTNET_VALUE = argv.opts("-c --configuration -f --framework -r --runtime -o --output -v --verbosity -a --arch "
                         "--os -p --project --property --launch-profile -s --source --logger -l --filter --settings "
                         "--results-directory --collect -t --target -bl --binaryLogger")
_MSBUILD_PROPERTY = re.compile(r"\$\(([A-Za-z_][\w.-]*)\)")
_SLN_PROJECT = re.compile(r'^Project\("[^"]*"\)\s*=\s*"[^"]*",\s*"([^"]+)"', re.M)


def _dotnet(an: Analysis, cmd: Cmd, name: str) -> None:
    words = list(cmd.words[1:])
    if name == "dotnet":
        p = argv.parse(words, DOTNET_VALUE, stop_at_operand=True)
        if not p.operands or p.operands[0].text not in DOTNET_BUILDS:
            return
        words = words[words.index(p.operands[0]) + 1:]
    p = argv.parse(words, DOTNET_VALUE)
    given = p.value("project", "p") if name == "dotnet" and p.value("project") is not None else None
    given = given or next((w for w in p.operands if not w.text.startswith(("-", "/"))
                           or w.text.endswith((*PROJECTS, ".sln"))), None)
    if given is not None and given.dynamic:
        runs.unread(an, cmd, "", name, runs.agent_wrote_anything(an), "a project named by an unknown value")
        return
    target = an.target(given or Word("."), cmd.scope)
    seen: set[str] = set()
    for project in _projects(an, target.path, target.is_dir):
        for path in _directory_files(an, posixpath.dirname(project)):
            _msbuild_file(an, cmd, path, seen)
        _msbuild_file(an, cmd, project, seen)


def _projects(an: Analysis, path: str, folder: bool) -> list[str]:
    """The project files a build of ``path`` evaluates."""
    if folder:
        try:
            names = sorted(world.listdir(path))
        except OSError:
            return []
        found = [f"{path}/{n}" for n in names if n.endswith(PROJECTS)]
        solutions = [f"{path}/{n}" for n in names if n.endswith(".sln")]
        if found or not solutions:
            return found
        path = solutions[0]
    if not path.endswith(".sln"):
        return [path]
    text, _ = runs.read(an, path)
    base = posixpath.dirname(path)
    return [posixpath.normpath(posixpath.join(base, m.replace("\\", "/"))) for m in _SLN_PROJECT.findall(text or "")
            if m.endswith(PROJECTS)][:MAX_FILES]


def _directory_files(an: Analysis, folder: str) -> list[str]:
    """``Directory.Build.props`` / ``.targets``: the nearest of each, from ``folder`` up to the project root."""
    found: list[str] = []
    project = an.places.project.rstrip("/")
    for name in ("Directory.Build.props", "Directory.Build.targets"):
        here = folder
        for _ in range(32):
            if world.isfile(f"{here}/{name}"):
                found.append(f"{here}/{name}")
                break
            if here in (project, "/") or not here.startswith(project + "/"):
                break
            here = posixpath.dirname(here)
    return found


def _msbuild_file(an: Analysis, cmd: Cmd, path: str, seen: set[str]) -> None:
    found = runs.source_once(an, cmd, path, seen, MAX_FILES, "MSBuild files")
    if found is None:
        return
    text, label, mine = found
    try:
        commands, imports, inline = msbuild_commands(text, posixpath.dirname(path))
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))
        return
    for where, command in commands:
        runs.analyse(an, cmd, command, "shell", f"{label}:{where}", mine, path=path)
    if inline:
        runs.unread(an, cmd, path, f"{label}:{inline}", mine, "an inline MSBuild task (C# or VB code)")
    for imported in imports:
        _msbuild_file(an, cmd, imported, seen)


def msbuild_commands(text: str, base: str) -> tuple[list[tuple[str, str]], list[str], str]:
    """((target, shell text) of each ``<Exec>``, the local files it imports, the name of an inline
    task or "")."""
    root = maven.xml_tree(text, "an MSBuild file")
    props = {"MSBuildProjectDirectory": base, "MSBuildThisFileDirectory": base + "/"}
    for group in root.iter("PropertyGroup"):
        for prop in group:
            if isinstance(prop.tag, str) and prop.tag not in props:
                props[prop.tag] = (prop.text or "").strip()

    def value(raw: str | None) -> str:
        out = raw or ""
        for _ in range(4):
            out = _MSBUILD_PROPERTY.sub(lambda m: props.get(m.group(1), maven.UNKNOWN), out)
        return out.strip()

    commands = []
    for target in root.iter("Target"):
        for task in target.iter("Exec"):
            command = value(task.get("Command"))
            if command:
                folder = value(task.get("WorkingDirectory"))
                commands.append((target.get("Name") or "target", f"cd {maven._quote(folder)} && {command}"
                                 if folder else command.replace(maven.UNKNOWN, '"${MSBUILD_UNKNOWN}"')))
    imports = []
    for element in root.iter("Import"):
        project = value(element.get("Project")).replace("\\", "/")
        if project and maven.UNKNOWN not in project and not project.startswith("Sdk"):
            imports.append(posixpath.normpath(posixpath.join(base, project)))
    inline = next((t.get("TaskName") or "task" for t in root.iter("UsingTask") if t.get("TaskFactory")), "")
    return commands, imports, inline


def _ant(an: Analysis, cmd: Cmd, name: str) -> None:
    p = argv.parse(cmd.words[1:], argv.opts("-f -file -buildfile -logfile -l -lib -propertyfile -inputhandler -find -s"))
    if p.has("help", "h", "version", "diagnostics", "projecthelp", "p"):
        return
    given = p.value("f", "file", "buildfile")
    path = an.target(given or Word("build.xml"), cmd.scope).path
    found = runs.source(an, cmd, path)
    if found is None:
        return
    text, label, mine = found
    try:
        commands = ant_commands(text, posixpath.dirname(path))
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))
        return
    for command in commands:
        runs.analyse(an, cmd, command, "shell", f"{label}", mine, path=path)


def ant_commands(text: str, base: str) -> list[str]:
    """Shell text for each ``<exec>``, ``<apply>``, ``<get>`` and ``<delete>`` task of the targets."""
    root = maven.xml_tree(text, "a build.xml")
    props = {"basedir": base}
    for prop in root.iter("property"):
        if prop.get("name") and prop.get("value") is not None:
            props.setdefault(prop.get("name") or "", prop.get("value") or "")
    for task in root.iter("apply"):
        task.tag = "exec"  # (apply runs its executable like exec, once per file)

    def value(raw: str | None) -> str:
        out = raw or ""
        for _ in range(4):
            out = maven._PROPERTY.sub(lambda m: props.get(m.group(1), maven.UNKNOWN), out)
        return out.strip()

    return [maven._in_dir(base, c) for c in maven._antrun(root, value)]


def deferred(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """A build.xml or an MSBuild file being written: the commands its targets run."""
    label = runs.display(an, path)
    try:
        if path.endswith("build.xml"):
            found = [("", c) for c in ant_commands(text, posixpath.dirname(path))]
        else:
            found = msbuild_commands(text, posixpath.dirname(path))[0]
    except Unanalysable:
        return  # the tool refuses it: nothing runs from it
    for where, command in found:
        runs.analyse(an, cmd, command, "shell", f"{label}:{where}" if where else label, True, path=path)


HANDLERS = {"dotnet": _dotnet, "msbuild": _dotnet, "ant": _ant}
