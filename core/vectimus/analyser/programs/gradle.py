"""Gradle: every build runs the project's build scripts — ``settings.gradle[.kts]``, the root
``build.gradle[.kts]``, the build files of the projects the settings ``include``, and the scripts
they ``apply from:``, ``-I`` init scripts, and what ``gradle_startup`` finds (buildSrc, the user home's
init scripts, ``org.gradle.jvmargs``) — for ``gradle``, ``gradlew`` and ``./gradlew`` (``-p DIR``, ``-b FILE``).

Groovy and Kotlin are read by ``build_tokens`` (strings and comments respected), and each command
a script starts becomes the program and arguments it runs: ``exec { commandLine … }`` /
``commandLine(listOf(…))``, ``executable`` with ``args``, ``"cmd".execute()`` / ``[…].execute()``,
``ProcessBuilder(…)``, ``Runtime.getRuntime().exec(…)``. A string built from what the script
computes is an unknown word. Every task's actions count, whichever task runs.
Standard library only: imported when gradle runs.
"""

from __future__ import annotations

import posixpath

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs import build_tokens as bt

VALUE = argv.opts("-p --project-dir -b --build-file -c --settings-file -D -P --project-prop -x --exclude-task "
                  "-g --gradle-user-home -I --init-script --include-build --console --warning-mode --max-workers")
NO_RUN = ("v", "version", "h", "help", "?", "stop", "status")
MAX_FILES = 32
BUILD = ("build.gradle.kts", "build.gradle")
SETTINGS = ("settings.gradle.kts", "settings.gradle")


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``gradle [tasks]``: what the project's build scripts run."""
    p = argv.parse(cmd.words[1:], VALUE)
    if any(p.has(flag) for flag in NO_RUN):
        return
    cmd = cmd.moved(p.all("p", "project-dir"))
    root = cmd.scope.places.cwd
    seen: set[str] = set()
    given = p.value("b", "build-file")
    settings = p.value("c", "settings-file")
    from vectimus.analyser.programs import gradle_startup

    files = [an.target(w, cmd.scope).path for w in (settings, given) if w is not None]
    files = files or [*(f"{root}/{n}" for n in SETTINGS), *(f"{root}/{n}" for n in BUILD)]
    files += [an.target(w, cmd.scope).path for w in p.all("I", "init-script")]
    for path in [*files, *gradle_startup.scripts(an, cmd, root, p.value("g", "gradle-user-home"))]:
        script(an, cmd, path, seen)
    gradle_startup.jvm_options(an, cmd, root, p.value("g", "gradle-user-home"))


def script(an: Analysis, cmd: Cmd, path: str, seen: set[str]) -> None:
    """One build script: its commands analysed, the scripts it applies and the projects it includes read."""
    if not (an.target(Word(path), cmd.scope).exists or path in an.pending):
        return
    found = runs.source_once(an, cmd, path, seen, MAX_FILES, "Gradle scripts")
    if found is None:
        return
    text, label, mine = found
    commands, others = read(text, posixpath.dirname(path))
    for command in commands:
        runs.analyse(an, cmd, command, "shell", label, mine, path=path)
    for other in others:
        script(an, cmd, other, seen)


def read(text: str, folder: str) -> tuple[list[str], list[str]]:
    """(shell text of each command the script ``text`` starts, the scripts it applies and the build
    files of the projects it includes)."""
    toks = bt.tokens(text, "jvm")
    names: dict[str, str] = {}
    commands: list[list[str]] = []
    others: list[str] = []
    executable: list[tuple[int, str]] = []  # (brace depth, program) of an `executable` awaiting `args`
    depth = 0
    for i, (kind, word) in enumerate(toks):
        if kind == "op":
            depth += word == "{"
            if word == "}":
                depth -= 1
                while executable and executable[-1][0] > depth:
                    commands.append([executable.pop()[1]])
            continue
        if kind == "str":
            if toks[i + 1:i + 4] == [("op", "."), ("name", "execute"), ("op", "(")]:
                commands.append(["sh", "-c", word])
            continue
        prev = toks[i - 1] if i else ("op", "")
        if word in ("def", "val", "var", "String") and toks[i + 2:i + 3] == [("op", "=")] and \
                toks[i + 3:i + 4] and toks[i + 3][0] == "str" and toks[i + 1][0] == "name":
            names[toks[i + 1][1]] = toks[i + 3][1]
        elif word in ("commandLine", "setCommandLine") or (word == "ProcessBuilder" and
                                                            toks[i + 1:i + 2] == [("op", "(")]):
            args, _, _ = bt.call_arguments(toks, i + 1, names)
            commands.append(bt.words(args))
        elif word == "executable":
            args, _, _ = bt.call_arguments(toks, i + 1, names)
            program = bt.words(args)
            if program:
                executable.append((depth, program[0]))
        elif word in ("args", "setArgs") and executable:
            args, _, _ = bt.call_arguments(toks, i + 1, names)
            commands.append([executable.pop()[1], *bt.words(args)])
        elif word == "execute" and prev == ("op", ".") and toks[i - 2:i - 1] == [("op", "]")]:
            start = max(k for k in range(i - 2) if toks[k] == ("op", "[")) if ("op", "[") in toks[:i] else i
            found, _ = bt.value(toks, start, names)
            commands.append(bt.words(found if isinstance(found, list) else [found]))
        elif word == "exec" and prev == ("op", ".") and toks[i - 4:i - 1] == [("name", "getRuntime"), ("op", "("),
                                                                              ("op", ")")]:
            args, _, _ = bt.call_arguments(toks, i + 1, names)
            first = args[0] if args else None
            commands.append(["sh", "-c", first] if isinstance(first, str) else bt.words(args[:1]))
        elif word == "apply" or word == "include" or word == "includeBuild":
            positional, keywords, _ = bt.call_arguments(toks, i + 1, names)
            if word == "apply" and isinstance(keywords.get("from"), str):
                others.append(posixpath.normpath(posixpath.join(folder, keywords["from"])))
            elif word != "apply":
                for project in bt.words(positional):
                    if bt.UNKNOWN not in project and "://" not in project:
                        sub = posixpath.normpath(posixpath.join(folder, project.strip(":").replace(":", "/")))
                        others += [f"{sub}/{n}" for n in (*SETTINGS, *BUILD)] if word == "includeBuild" else \
                            [f"{sub}/{n}" for n in BUILD]
    commands += [[program] for _, program in executable]
    return [bt.shell_words(c, "GRADLE_UNKNOWN") for c in commands if c], others


def deferred(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """A Gradle script being written: what it starts."""
    commands, _ = read(text, posixpath.dirname(path))
    for command in commands:
        runs.analyse(an, cmd, command, "shell", runs.display(an, path), True, path=path)


HANDLERS = {"gradle": run, "gradlew": run}
