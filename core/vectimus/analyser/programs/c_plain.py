"""Plain C and C++: code the agent wrote that a compiler builds into a program which can only compute
and print (``printf``, ``malloc``, ``strlen``, containers and streams to the terminal).

A C compiler's output is otherwise a program whose code Vectimus cannot read (``compiled_code``).
Code is plain when, after lines are spliced and comments and literals removed, it names none of the
functions that reach outside the process (``RISKY``: running programs, files, sockets, the
environment, loading code, system calls, inline assembly), includes only standard headers (or, in
quotes, a relative file that is itself read as part of the build), and uses no preprocessor spelling
that could build a name from pieces (``##``, digraphs, trigraphs, universal character names) or
read a file into the program (``#embed``). Naming a function is enough: a pointer to ``system`` runs it
as well as a call does.

Standard library only: imported when a C compiler builds code the agent wrote.
"""

from __future__ import annotations

import itertools
import re

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd

RISKY = frozenset((
    # programs and processes
    "system", "popen", "execl", "execlp", "execle", "execv", "execvp", "execvpe", "execve", "execveat",
    "fexecve", "fork", "vfork", "clone", "clone3", "posix_spawn", "posix_spawnp", "ptrace", "kill", "wordexp",
    # files and directories
    "fopen", "fopen64", "freopen", "open", "open64", "openat", "creat", "fdopen", "opendir", "unlink",
    "unlinkat", "remove", "rmdir", "rename", "renameat", "renameat2", "truncate", "ftruncate", "link",
    "symlink", "chmod", "fchmod", "chown", "mkfifo", "mknod", "mount", "chroot", "nftw", "ftw", "glob",
    "ifstream", "ofstream", "fstream", "filebuf", "filesystem", "remove_all",
    # the network
    "socket", "connect", "bind", "listen", "accept", "getaddrinfo", "gethostbyname", "sendto",
    # the environment and identity
    "getenv", "secure_getenv", "environ", "__environ", "setenv", "putenv", "setuid", "setgid", "seteuid",
    # code loaded or run below C
    "dlopen", "dlsym", "dlmopen", "syscall", "asm", "__asm", "__asm__", "mmap", "mprotect",
    # header-only process libraries (boost::process); a symbol named in a string (weakref("system"))
    "child", "spawn", "ipstream", "opstream", "weakref", "alias", "ifunc", "symver",
))
STANDARD_HEADERS = frozenset((
    "stdio.h", "stdlib.h", "string.h", "strings.h", "math.h", "stdint.h", "stdbool.h", "stddef.h",
    "limits.h", "ctype.h", "assert.h", "errno.h", "float.h", "time.h", "stdarg.h", "inttypes.h",
    "setjmp.h", "wchar.h", "wctype.h", "complex.h", "iso646.h", "stdalign.h", "stdnoreturn.h",
    "tgmath.h", "uchar.h", "stdatomic.h", "signal.h", "locale.h", "unistd.h", "sys/types.h",
    "pthread.h", "threads.h",
    "iostream", "ostream", "istream", "sstream", "iomanip", "string", "string_view", "vector", "array",
    "list", "deque", "forward_list", "map", "unordered_map", "set", "unordered_set", "queue", "stack",
    "bitset", "algorithm", "numeric", "iterator", "memory", "utility", "functional", "tuple",
    "optional", "variant", "any", "chrono", "thread", "mutex", "atomic", "condition_variable", "future",
    "limits", "random", "regex", "stdexcept", "exception", "type_traits", "initializer_list", "span",
    "numbers", "ranges", "format", "bit", "compare", "concepts", "cmath", "cstdio", "cstdlib", "cstring",
    "cstdint", "cstddef", "climits", "cassert", "cctype", "cerrno", "cfloat", "ctime", "cinttypes",
    "cstdarg", "complex", "valarray", "ratio", "cwchar", "typeinfo", "new", "locale",
))
# libraries a plain program may link besides the C library
PLAIN_LIBS = frozenset(("m", "pthread", "rt", "stdc++"))
SOURCES = (".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx")
# compiler options that load, link or preprocess something besides the sources, or build a library
# other programs load
NOT_PLAIN_OPTIONS = ("-shared", "-x", "-Wl,", "-Wa,", "-Wp,", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-B",
                     "-fplugin", "-wrapper", "-specs", "--specs", "-include", "-imacros", "-fuse-ld", "-T",
                     "-Xclang", "--sysroot", "-isysroot", "-load", "-z")

_COMMENTS_AND_LITERALS = re.compile(
    r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
_RAW_OR_SEPARATOR = re.compile(r'R"|[0-9A-Fa-f]\'[0-9A-Fa-f]')
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]*)[>"]', re.M)
_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(\w+)", re.M)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def build(an: Analysis, cmd: Cmd, p, written: set[str]) -> bool:
    """Whether the compiler command ``cmd`` (parsed: ``p``) builds only plain code of the agent's:
    its options load nothing else, and every C source and header the agent wrote in this call and
    session (``written``: an include or the link may pick any of them up) is plain."""
    texts = [w.text for w in cmd.words[1:]]
    if any(t == o or (o.endswith(",") or len(o) > 2) and t.startswith(o) for t in texts for o in NOT_PLAIN_OPTIONS):
        return False
    for option, value in _valued(cmd.words[1:], ("-l", "-D")):
        if value.dynamic or (value.text not in PLAIN_LIBS if option == "-l" else
                             RISKY.intersection(_IDENTIFIER.findall(value.text))):
            return False
    if any(w.dynamic or w.text == "-" for w in p.operands):
        return False
    for path in itertools.islice(written, runs.MAX_FILES + 1):
        text, _ = runs.read(an, path)
        if not path.lower().endswith(SOURCES) or text is None or why(text):
            return False
    return len(written) <= runs.MAX_FILES


def _valued(words, options: tuple[str, ...]):
    """(option, value) for each of ``options`` given attached (``-lm``) or apart (``-l m``)."""
    for i, word in enumerate(words):
        for option in options:
            if word.text == option and i + 1 < len(words):
                yield option, words[i + 1]
            elif word.text.startswith(option) and word.text != option:
                yield option, word._replace(text=word.text[len(option):])


def why(text: str) -> str:
    """Why ``text`` is not plain C or C++ ("" when it is)."""
    code = _spliced(text)
    if any(s in code for s in ("??", "%:", "<%", "\\u", "\\U")):
        return "a trigraph, digraph or universal character name"
    if _RAW_OR_SEPARATOR.search(code):  # literals the pattern below would read wrongly
        return "a raw string literal or a digit separator"
    for kind, name in _INCLUDE.findall(code):
        if kind == "<" and name.strip() not in STANDARD_HEADERS:
            return f"it includes <{name.strip()}>"
        if kind == '"' and (name.startswith("/") or ".." in name.split("/") or not name.strip()):
            return f'it includes "{name}"'
    bare = _COMMENTS_AND_LITERALS.sub(" ", code)
    if "##" in bare:
        return "it pastes tokens (##)"
    if any(d not in ("include", "define", "undef", "if", "ifdef", "ifndef", "elif", "else", "endif", "pragma")
           for d in _DIRECTIVE.findall(bare)):
        return "a preprocessor directive that reads or runs something"
    risky = next((n for n in _IDENTIFIER.findall(bare) if n in RISKY), None)
    return f"it names {risky}" if risky else ""


def _spliced(text: str) -> str:
    """``text`` as the preprocessor sees it first: a backslash before a newline joins the lines."""
    return text.replace("\\\r\n", "").replace("\\\n", "")
