"""Maven: the commands a build runs from the project's ``pom.xml`` (``-f`` names another) and its
modules': the exec-maven-plugin's ``executable`` with its ``arguments``/``commandlineArgs``, and
maven-antrun-plugin targets' ``<exec>``, ``<get>`` and ``<delete>`` tasks, at plugin level and in
each ``<execution>``. Any ``mvn``/``mvnw``/``mvnd`` run that executes a phase or a goal may run them
(which phase an execution binds to is not followed: every one counts).

The POM is read with the standard library's XML parser (expat: entity expansion bounded; the file
is size-bounded by ``runs.read``); ``${property}`` references are expanded from ``<properties>``,
``-D`` definitions, ``${env.X}`` and the project's directories; anything else is unknown.
Standard library only: imported when Maven runs.
"""

from __future__ import annotations

import posixpath
import re
import shlex

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable

MAX_MODULES = 32
VALUE = argv.opts("-f --file -P --activate-profiles -D --define -s --settings -gs --global-settings -pl "
                  "--projects -rf --resume-from -T --threads -l --log-file -t --toolchains -b --builder "
                  "-gt --global-toolchains -e")
NO_RUN = ("v", "version", "h", "help")
_PROPERTY = re.compile(r"\$\{([^${}]+)\}")
UNKNOWN = "\x00"


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``mvn [options] goals…``: what the POM's exec and antrun plugins run, in it and its modules."""
    p = argv.parse(cmd.words[1:], VALUE)
    if any(p.has(flag) for flag in NO_RUN) or not p.operands:
        return
    defined = {}
    for word in p.all("D", "define"):
        key, _, value = word.text.partition("=")
        defined[key] = value if not word.dynamic else UNKNOWN
    given = p.value("f", "file")
    path = an.target(given, cmd.scope).path if given is not None else f"{cmd.scope.places.cwd}/pom.xml"
    if given is not None and an.target(given, cmd.scope).is_dir:
        path = f"{path}/pom.xml"
    seen: set[str] = set()
    _pom(an, cmd, path, defined, seen)


def _pom(an: Analysis, cmd: Cmd, path: str, defined: dict[str, str], seen: set[str]) -> None:
    found = runs.source_once(an, cmd, path, seen, MAX_MODULES, "Maven modules")
    if found is None:
        return
    text, label, mine = found
    try:
        commands, modules = pom_commands(text, posixpath.dirname(path), defined, an.env)
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))
        return
    for where, command in commands:
        runs.analyse(an, cmd, command, "shell", f"{label}:{where}", mine, path=path)
    for module in modules:
        _pom(an, cmd, posixpath.normpath(posixpath.join(posixpath.dirname(path), module, "pom.xml")), defined, seen)


def pom_commands(text: str, base: str, defined: dict[str, str], environ) -> tuple[list[tuple[str, str]], list[str]]:
    """((label, shell text) of each command the POM's plugins run, its modules); Unanalysable when
    it is not XML."""
    root = xml_tree(text, "a pom.xml")
    props = {"basedir": base, "project.basedir": base, "project.build.directory": f"{base}/target",
             "user.home": environ.get("HOME", UNKNOWN)}
    for prop in root.findall("properties/*"):
        props[str(prop.tag)] = (prop.text or "").strip()
    props.update(defined)

    def value(raw: str | None) -> str:
        def one(match: re.Match) -> str:
            key = match.group(1)
            if key.startswith("env."):
                return environ.get(key[4:], UNKNOWN)
            return props.get(key, UNKNOWN)

        text_ = raw or ""
        for _ in range(4):
            text_ = _PROPERTY.sub(one, text_)
        return text_.strip()

    out: list[tuple[str, str]] = []
    for plugin in root.iter("plugin"):
        artifact = (plugin.findtext("artifactId") or "").strip()
        if artifact not in ("exec-maven-plugin", "maven-antrun-plugin"):
            continue
        configs = [("", plugin.find("configuration"))] + [
            ((e.findtext("id") or "default").strip(), e.find("configuration")) for e in plugin.iter("execution")]
        for label, config in configs:
            if config is None:
                continue
            where = f"{artifact}{':' + label if label else ''}"
            if artifact == "exec-maven-plugin":
                command = _exec_plugin(config, value)
                if command:
                    out.append((where, _in_dir(value(config.findtext("workingDirectory")) or base, command)))
            else:
                out += [(where, _in_dir(base, c)) for c in _antrun(config, value)]
    modules = [value(m.text) for m in root.findall("modules/module") if m.text and UNKNOWN not in value(m.text)]
    return out, modules


def xml_tree(text: str, what: str):
    """The root element of the XML ``text``, tags without their namespace; Unanalysable when it is not XML."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text.removeprefix("\ufeff"))
    except (ET.ParseError, RecursionError, ValueError) as exc:
        raise Unanalysable(f"{what} that is not XML ({str(exc)[:60]})") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def _exec_plugin(config, value) -> str:
    executable = value(config.findtext("executable"))
    if not executable:
        return ""  # exec:java runs a class of the project's: Java, which Vectimus does not read
    args = [value(a.text) for a in config.findall("arguments/argument")]
    line = value(config.findtext("commandlineArgs"))
    return " ".join([_quote(executable), *map(_quote, args), line])


def _antrun(config, value) -> list[str]:
    """Shell text for each ``<exec>``, ``<get>`` and ``<delete>`` task of antrun's targets."""
    out = []
    for target in [*config.findall("target"), *config.findall("tasks")]:
        for task in target.iter():
            tag = task.tag
            if tag == "exec":
                words = [value(task.get("executable") or "")]
                for arg in task.findall("arg"):
                    if arg.get("line") is not None:
                        words.append("\x01" + value(arg.get("line")))
                    else:
                        words.append(value(arg.get("value") or arg.get("file") or arg.get("path") or ""))
                command = value(task.get("command"))
                text = " ".join(w[1:] if w.startswith("\x01") else _quote(w) for w in words if w) if words[0] else ""
                out += [t for t in (text, command) if t]
                folder = value(task.get("dir"))
                if folder and out:
                    out[-1] = f"cd {_quote(folder)} && {out[-1]}"
            elif tag == "get" and task.get("src"):
                out.append(f"curl -o {_quote(value(task.get('dest')) or 'download')} {_quote(value(task.get('src')))}")
            elif tag == "delete" and (task.get("dir") or task.get("file")):
                out.append(f"rm -rf {_quote(value(task.get('dir') or task.get('file')))}")
    return out


def _in_dir(folder: str, command: str) -> str:
    return f"cd {_quote(folder)} && {command}"


def _quote(word: str) -> str:
    """One argument as shell text: quoted, with an unknown part an unset variable's value."""
    parts = word.split(UNKNOWN)
    return '"${MAVEN_UNKNOWN}"'.join(shlex.quote(p) if p else "" for p in parts) or "''"


def deferred(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """A pom.xml being written: what its exec and antrun plugins run."""
    try:
        commands, _ = pom_commands(text, posixpath.dirname(path), {}, an.env)
    except Unanalysable:
        return  # Maven refuses it: nothing runs from it
    for where, command in commands:
        runs.analyse(an, cmd, command, "shell", f"{runs.display(an, path)}:{where}", True, path=path)


HANDLERS = {"mvn": run, "mvnw": run, "mvnd": run}
