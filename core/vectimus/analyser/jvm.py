"""JVM options that name code or a command: ``-javaagent:JAR`` and ``-agentpath:LIB`` load code into
the JVM before the program's own, ``-XX:OnOutOfMemoryError=CMD`` and ``-XX:OnError=CMD`` run shell
commands (``;`` separates several). Read from java's command line and from the variables every JVM
reads (``JAVA_TOOL_OPTIONS``, ``_JAVA_OPTIONS``, the launcher's ``JDK_JAVA_OPTIONS``) or the launch
scripts of Java tools pass on (``JAVA_OPTS``, ``MAVEN_OPTS``, ``GRADLE_OPTS``).
Standard library only: imported when a command sets one of them or runs java.
"""

from __future__ import annotations

import shlex

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word

COMMANDS = ("-XX:OnOutOfMemoryError", "-XX:OnError")
AGENTS = ("-javaagent", "-agentpath")


def options(an: Analysis, cmd: Cmd, words, source: str) -> None:
    """Analyse what the JVM options ``words`` (from ``source``) make the JVM load or run."""
    for word in words:
        key, eq, value = word.text.partition("=")
        if key in COMMANDS and eq:
            for part in value.split(";"):
                if part.strip() or word.dynamic:  # %p is the JVM's process id
                    an.shell(Word(part.replace("%p", "1"), word.dynamic), cmd, f"{source} {key}")
        elif word.text.startswith(tuple(a + ":" for a in AGENTS)):
            flag, _, rest = word.text.partition(":")
            path = rest.partition("=")[0]
            runs.run_file(an, cmd, Word(path, word.dynamic), runner="native", label=f"{source} {flag}:{path}")


def variable(an: Analysis, cmd: Cmd, knob: str, word: Word) -> None:
    """The options an environment variable holds, split as the JVM splits them (quotes group)."""
    try:
        parts = shlex.split(word.text)
    except ValueError:
        parts = word.text.split()
    options(an, cmd, [Word(p, word.dynamic) for p in parts], knob)
