"""The programs CMake finds: ``find_program(VAR name)`` and the find modules that set an
executable's variable (``find_package(Git)`` sets ``GIT_EXECUTABLE``), so the common
``execute_process(COMMAND ${GIT_EXECUTABLE} describe …)`` runs ``git``, not a program nobody can name.

A found program is the one its name finds on ``PATH``, as in the shell, only while nothing steers
the search: no ``HINTS``/``PATHS``/``PATH_SUFFIXES``/``VALIDATOR``/``NO_…`` option in the call, no
search-path variable (``CMAKE_PROGRAM_PATH``, ``CMAKE_PREFIX_PATH``, ``<Pkg>_ROOT`` …) set in the
project's files, by ``-D`` or in the environment, and several names only when they are one
program's versions (``clang-format clang-format-17``). A value the variable already holds (``-D``,
``set()``) stays, as CMake keeps it; so does one the build directory's ``CMakeCache.txt`` holds.
Anything else leaves the variable unknown.
Standard library only: imported with the CMake reader.
"""

from __future__ import annotations

import re

FOUND_BY = {  # find_package(<name>) -> (variable, program)
    "git": ("GIT_EXECUTABLE", "git"),
    "python3": ("Python3_EXECUTABLE", "python3"),
    "python": ("Python_EXECUTABLE", "python3"),
    "pythoninterp": ("PYTHON_EXECUTABLE", "python3"),
    "perl": ("PERL_EXECUTABLE", "perl"),
    "doxygen": ("DOXYGEN_EXECUTABLE", "doxygen"),
}
PLAIN = frozenset(("NAMES", "DOC", "REQUIRED", "OPTIONAL", "NO_CACHE", "NAMES_PER_DIR"))
_PATHS = r"CMAKE_(?:SYSTEM_)?(?:PROGRAM|PREFIX|APPBUNDLE|FIND_ROOT)_PATH|CMAKE_STAGING_PREFIX|CMAKE_SYSROOT"
STEERS = re.compile(_PATHS + r"|_ROOT\b|_ROOT_DIR|_HINTS?\b")  # in the project's files and the command
# In the agent's own environment: CMake's search paths and the roots of the packages FOUND_BY reads
# (another tool's PYENV_ROOT or CARGO_ROOT steers nothing here).
STEERS_ENV = re.compile(rf"(?i:{_PATHS}|(?:git|python3?|pythoninterp|perl|doxygen)_ROOT(?:_DIR)?)$")
_VERSION = re.compile(r"[-.]?\d+(?:\.\d+)*$")
_NAME = re.compile(r"[A-Za-z0-9_.+-]+")


def steered(text: str, variables: dict[str, str], given, environ) -> bool:
    """Whether the project's file ``text``, its variables, the variables the command line ``given``
    (assignments, exports) or the agent's ``environ`` can change where a program is found."""
    return bool(STEERS.search(text)) or any(STEERS.search(k) for k in (*variables, *given)) \
        or any(STEERS_ENV.match(k) for k in environ)


def find_program(args: list[str], unknown: str) -> tuple[str, str] | None:
    """``find_program(args)``: (variable, program name), ``unknown`` as the name when the search is
    steered or the names are not one program's; None when the call names no variable."""
    if not args or unknown in args[0]:
        return None
    var, rest = args[0], args[1:]
    if rest and rest[0] != "NAMES":
        names, options = rest[:1], rest[1:]  # find_program(VAR name [path …]): a path is not an option
    else:
        names, options = [], []
        for i, word in enumerate(rest[1:], 1):
            if word in PLAIN or options:
                options = rest[i:]
                break
            names.append(word)
    doc = False
    for word in options:
        if doc:
            doc = False
        elif word == "DOC":
            doc = True
        elif word not in PLAIN:
            return var, unknown
    if not names or any(not _NAME.fullmatch(n) for n in names) \
            or len({_VERSION.sub("", n) for n in names}) != 1:
        return var, unknown
    return var, names[0]


def cached(cache: str, var: str) -> str | None:
    """The value ``CMakeCache.txt`` text ``cache`` holds for ``var``, or None."""
    match = re.search(rf"^{re.escape(var)}:[A-Z]+=(.*)$", cache, re.M)
    return match.group(1).strip() if match else None
