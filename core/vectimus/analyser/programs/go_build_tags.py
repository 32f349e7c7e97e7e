"""Go files a package build leaves out by their build constraint: a file starting
``//go:build ignore`` (a generator ``go generate`` runs by name), ``//go:build tools`` or
``//go:build integration`` is not compiled by ``go test ./...`` or ``go build`` unless ``-tags``
(on the command line or in ``GOFLAGS``) names the tag.

The constraint (``//go:build`` before the package clause, else the ``// +build`` lines) is
evaluated three ways: a tag the command gives is true; the tags the toolchain may set itself
(operating systems, architectures, ``unix``, ``cgo``, ``gc``, ``gccgo``, ``go1.N``,
``goexperiment.*``) are unknown; any other tag is false. Only a constraint that is false
whatever the unknown ones are leaves the file out; an unreadable or unknown header, or tags given by
an unknown value, keep it.
Standard library only: imported when go compiles.
"""

from __future__ import annotations

import re

from vectimus import world
from vectimus.analyser.context import Analysis, Cmd, Word

HEADER_BYTES = 8192
TOOLCHAIN = frozenset((
    "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris "
    "wasip1 windows zos 386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le "
    "mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm unix cgo gc "
    "gccgo").split())
_TOKEN = re.compile(r"\s*(\|\||&&|!|\(|\)|[A-Za-z0-9_.]+)")
_TAGS = re.compile(r"(?:^|\s)--?tags(?:=|\s+)(\S+)")


class _Bad(Exception):
    """A constraint this reader does not parse."""


def given_tags(an: Analysis, cmd: Cmd, flag: Word | None) -> frozenset[str] | None:
    """The tags the command gives (``-tags``, then ``GOFLAGS``); None when any is unknown."""
    tags: set[str] = set()
    goflags = dict(cmd.env).get("GOFLAGS") or cmd.scope.vars.get("GOFLAGS")
    words = [flag] if flag is not None else []
    if goflags is not None:
        words.append(goflags)
    elif an.env.get("GOFLAGS"):
        words.append(Word(an.env["GOFLAGS"]))
    for word in words:
        if word.dynamic:
            return None
        text = word.text if word is flag else " ".join(_TAGS.findall(word.text))
        tags.update(t for t in re.split(r"[,\s]+", text) if t)
    return frozenset(tags)


def left_out(an: Analysis, path: str, tags: frozenset[str] | None) -> bool:
    """Whether a package build leaves out the Go file at ``path`` (with the ``tags`` given)."""
    if tags is None:
        return False
    if path in an.pending:
        text = an.pending[path]
    else:
        try:
            text = world.read(path, HEADER_BYTES).decode("utf-8", "replace")
        except (OSError, ValueError):
            return False
    if text is None:
        return False
    try:
        return _value(constraint(text), tags) is False
    except (_Bad, RecursionError):
        return False


def constraint(text: str) -> str:
    """The file's build constraint as one expression ("" when it has none)."""
    plus: list[str] = []
    in_block = False
    for line in text.splitlines():
        stripped = line.strip()
        if in_block:
            in_block = "*/" not in stripped
            continue
        if stripped.startswith("//go:build"):
            return stripped[len("//go:build"):]
        if stripped.startswith("// +build"):
            plus.append("(" + " || ".join("(" + " && ".join(term.split(",")) + ")"
                                          for term in stripped[len("// +build"):].split()) + ")")
        elif stripped.startswith("/*"):
            in_block = "*/" not in stripped[2:]
        elif stripped and not stripped.startswith("//"):
            break  # the package clause: constraints come before it
    return " && ".join(plus)


def _value(expr: str, tags: frozenset[str]) -> bool | None:
    """``expr`` evaluated: True, False, or None (it depends on what the toolchain sets)."""
    if not expr.strip():
        return True
    tokens, pos = [], 0
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        if match is None:
            if expr[pos:].strip():
                raise _Bad(expr)
            break
        tokens.append(match.group(1))
        pos = match.end()
    value, rest = _either(tokens, tags)
    if rest:
        raise _Bad(expr)
    return value


def _either(tokens: list[str], tags, op: str = "||"):
    """An ``||`` chain of ``&&`` chains (``op`` "&&": one of those): True absorbs an or, False an and."""
    absorbing = op == "||"
    operand = (lambda t: _either(t, tags, "&&")) if absorbing else (lambda t: _not(t, tags))
    left, tokens = operand(tokens)
    while tokens[:1] == [op]:
        right, tokens = operand(tokens[1:])
        left = absorbing if absorbing in (left, right) else None if None in (left, right) else not absorbing
    return left, tokens


def _not(tokens: list[str], tags):
    if not tokens:
        raise _Bad("")
    if tokens[0] == "!":
        value, rest = _not(tokens[1:], tags)
        return (None if value is None else not value), rest
    if tokens[0] == "(":
        value, rest = _either(tokens[1:], tags)
        if rest[:1] != [")"]:
            raise _Bad("(")
        return value, rest[1:]
    tag = tokens[0]
    if tag in ("||", "&&", ")"):
        raise _Bad(tag)
    if tag in tags:
        return True, tokens[1:]
    if tag in TOOLCHAIN or tag.startswith(("go1.", "goexperiment.")):
        return None, tokens[1:]
    return False, tokens[1:]
