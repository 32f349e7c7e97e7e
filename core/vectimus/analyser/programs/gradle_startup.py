"""What every Gradle build loads besides the project's build scripts: the ``buildSrc`` build (its
settings and build files, and the precompiled script plugins under ``buildSrc/src/main``), the init
scripts of the Gradle user home (``~/.gradle/init.gradle[.kts]``, ``init.d/*.gradle[.kts]``;
``GRADLE_USER_HOME``, ``-g``), and the JVM options ``org.gradle.jvmargs`` in ``gradle.properties``
(the project's and the user home's) hands the daemon (``-javaagent:``, ``-XX:OnError=`` …).

Standard library only: imported when gradle runs.
"""

from __future__ import annotations

import glob
import os
import re

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import env
from vectimus import world

MAX_PLUGINS = 16
_JVMARGS = re.compile(r"^\s*org\.gradle\.jvmargs\s*[=:]\s*(.*?)\s*$", re.M)


def scripts(an: Analysis, cmd: Cmd, root: str, user_home: Word | None) -> list[str]:
    """The scripts a build in ``root`` runs before and besides the project's own."""
    home = _user_home(an, cmd, user_home)
    found = [f"{root}/buildSrc/{name}" for name in ("settings.gradle.kts", "settings.gradle", "build.gradle.kts",
                                                       "build.gradle")]
    for pattern in ("buildSrc/src/main/groovy/**/*.gradle", "buildSrc/src/main/kotlin/**/*.gradle.kts"):
        found += sorted(world.glob(f"{glob.escape(root)}/{pattern}", recursive=True))[:MAX_PLUGINS]
    if home is not None:
        found += [f"{home}/init.gradle", f"{home}/init.gradle.kts"]
        found += sorted(world.glob(f"{glob.escape(home)}/init.d/*.gradle*"))[:MAX_PLUGINS]
    return found


def jvm_options(an: Analysis, cmd: Cmd, root: str, user_home: Word | None) -> None:
    """The daemon's JVM options from the ``gradle.properties`` of the project and the user home."""
    home = _user_home(an, cmd, user_home)
    for path in (f"{root}/gradle.properties", *([f"{home}/gradle.properties"] if home is not None else [])):
        text, _ = runs.read(an, path) if world.isfile(path) or path in an.pending else (None, "")
        for value in _JVMARGS.findall(text or ""):
            from vectimus.analyser import jvm

            jvm.variable(an, cmd, f"{runs.display(an, path)} org.gradle.jvmargs", Word(value))


def _user_home(an: Analysis, cmd: Cmd, given: Word | None) -> str | None:
    """The Gradle user home (``-g``, ``GRADLE_USER_HOME``, ``~/.gradle``), resolved; None when unknown."""
    word = given or env.value(cmd, "GRADLE_USER_HOME")
    if word is None:
        return os.path.join(an.env.get("HOME") or cmd.scope.places.home, ".gradle")
    return None if word.dynamic else an.resolve(word, cmd.scope)
