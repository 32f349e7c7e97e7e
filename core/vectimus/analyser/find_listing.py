"""What ``find`` prints, when its expression is simple enough to know before it runs: the start
paths, ``-name``/``-iname``/``-path``/``-ipath`` patterns, ``-type f|d|l``, ``-maxdepth``/``-mindepth``
and ``-print``/``-print0``; filters it cannot evaluate here (``-mtime``, ``-size``, ``-newer`` …)
are taken as matching, so more paths are printed, never fewer. Anything else (``-o``, parentheses,
actions) prints what is unknown (None), as do more than MAX_LISTED matches, a walk past MAX_SEEN
entries, or a secret among the matches (a credential listing stays the stage's own fact).

Standard library only: used when a pipe or substitution consumes find's output.
"""

from __future__ import annotations

import fnmatch
import posixpath

from vectimus import paths
from vectimus.analyser.context import Analysis, Scope, Word
from vectimus import world

MAX_LISTED = 64
MAX_SEEN = 4000
TESTS = ("-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-type", "-maxdepth", "-mindepth")
IGNORED = {"-mtime": 1, "-mmin": 1, "-atime": 1, "-amin": 1, "-ctime": 1, "-cmin": 1, "-size": 1, "-newer": 1,
           "-user": 1, "-group": 1, "-perm": 1, "-empty": 0, "-readable": 0, "-writable": 0, "-a": 0, "-and": 0,
           "-print": 0, "-print0": 0, "-xdev": 0, "-mount": 0, "-L": 0, "-P": 0, "-H": 0, "-depth": 0,
           "-noleaf": 0}


def listed(an: Analysis, words: list[Word], scope: Scope) -> str | None:
    """The paths ``find words`` prints, one a line (NUL-separated for ``-print0``), or None."""
    args = [w.text for w in words]
    starts: list[str] = []
    while args and not args[0].startswith(("-", "(", "!")):
        starts.append(args.pop(0))
    tests: list[tuple[str, str]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in TESTS and i + 1 < len(args):
            tests.append((arg, args[i + 1]))
            i += 2
        elif arg in IGNORED:
            i += 1 + IGNORED[arg]
        else:
            return None
    sep = "\0" if "-print0" in args else "\n"
    out: list[str] = []
    for start in starts or ["."]:
        if start == "~" or start.startswith("~/"):
            start = (an.env.get("HOME") or scope.places.home).rstrip("/") + start[1:]
        base = start if start.startswith("/") else posixpath.join(scope.places.cwd, start)
        if scope.cwd_dynamic and not start.startswith("/") or not world.exists(base):
            return None  # (a missing start: left to the stage's own facts)
        found = _walk(an, base, start, dict(tests))
        if found is None:
            return None
        out += found
        if len(out) > MAX_LISTED:
            return None
    return sep.join(out) + (sep if out else "")


def _walk(an: Analysis, base: str, shown: str, tests: dict[str, str]) -> list[str] | None:
    most = int(tests["-maxdepth"]) if tests.get("-maxdepth", "").isdigit() else 64
    least = int(tests["-mindepth"]) if tests.get("-mindepth", "").isdigit() else 0
    out: list[str] = []
    seen = 0
    queue = [(base, shown, 0)]
    while queue:
        path, name, depth = queue.pop(0)
        seen += 1
        if seen > MAX_SEEN:
            return None
        is_dir = world.isdir(path) and not world.islink(path)
        if depth >= least and _matches(path, name, is_dir, tests):
            if paths.is_secret_path(path, an.places.home):
                return None
            out.append(name)
            if len(out) > MAX_LISTED:
                return None
        if is_dir and depth < most:
            try:
                entries = sorted(world.listdir(path))
            except OSError:
                continue
            queue += [(posixpath.join(path, e), posixpath.join(name, e), depth + 1) for e in entries]
    return out


def _matches(path: str, shown: str, is_dir: bool, tests: dict[str, str]) -> bool:
    base = posixpath.basename(path.rstrip("/")) or path
    kind = tests.get("-type")
    if kind and (kind == "f" and (is_dir or world.islink(path)) or kind == "d" and not is_dir
                 or kind == "l" and not world.islink(path)):
        return False
    for test, pattern in tests.items():
        if test in ("-name", "-iname"):
            ok = fnmatch.fnmatchcase(base.lower(), pattern.lower()) if test == "-iname" else \
                fnmatch.fnmatchcase(base, pattern)
        elif test in ("-path", "-ipath", "-wholename", "-iwholename"):
            ok = fnmatch.fnmatchcase(shown.lower(), pattern.lower()) if test.startswith("-i") else \
                fnmatch.fnmatchcase(shown, pattern)
        else:
            continue
        if not ok:
            return False
    return True
