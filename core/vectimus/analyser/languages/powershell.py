"""A modest PowerShell analysis: a tokenizer, statements split on ``; | && ||`` and newlines, and the
common cmdlets (and their aliases) mapped onto actions. Anything else runs as a program and goes
through the same program handlers as a shell command (``git push --force`` is ``git push``).
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser.facts import net
from vectimus.analyser.context import (
    MAX_COMMAND_BYTES, MAX_DEPTH, Analysis, Cmd, Scope, Unanalysable, Word,
)
from vectimus.model import Action

DELETE = {"remove-item", "rm", "del", "erase", "ri", "rd", "rmdir"}
WRITE = {"set-content", "sc", "add-content", "ac", "out-file", "new-item", "ni", "mkdir", "md",
         "set-itemproperty", "clear-content", "clc", "export-csv", "tee-object", "tee"}
READ = {"get-content", "gc", "cat", "type", "import-csv", "select-string", "sls", "get-item", "gi",
        "get-childitem", "gci", "ls", "dir", "import-clixml", "format-hex", "get-filehash"}
COPY = {"copy-item", "cp", "copy", "cpi"}
MOVE = {"move-item", "mv", "move", "mi", "rename-item", "ren", "rni"}
WEB = {"invoke-webrequest", "iwr", "wget", "curl", "invoke-restmethod", "irm", "start-bitstransfer"}
EVAL = {"invoke-expression", "iex"}
START = {"start-process", "start", "saps"}
PATH_PARAMS = {"path", "literalpath", "filepath", "lp", "pspath"}
SWITCHES = {"recurse", "force", "whatif", "confirm", "append", "noclobber", "passthru", "usebasicparsing",
            "verbose", "debug", "raw", "wait", "nonewline", "nonewwindow", "allowclobber", "r", "f"}
_TOKEN = re.compile(r"""\s*(?:(?P<op>&&|\|\||[;|\n]|[0-9*]?>>?(?:&[12])?)|(?P<sq>'(?:[^']|'')*')|"""
                    r"""(?P<dq>"(?:[^"`]|`.)*")|(?P<sub>\$?\()|(?P<block>\{)|(?P<close>[)}])|(?P<word>[^\s;|"'(){}]+))""",
                    re.S)


def analyse(text: str, an: Analysis, scope: Scope, via: tuple[str, ...] = (), depth: int = 0) -> None:
    """Record the actions of a PowerShell command line."""
    if depth > MAX_DEPTH:
        raise Unanalysable(f"PowerShell code nested more than {MAX_DEPTH} levels deep")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_COMMAND_BYTES:
        raise Unanalysable(f"PowerShell command longer than {MAX_COMMAND_BYTES} bytes")
    for statement, redirects in _statements(text, an, scope, via, depth):
        if statement:
            _statement(statement, redirects, an, scope, via, depth)


def _statements(text, an, scope, via, depth):
    """Split into statements (lists of Words) with their redirect targets; run ``$(…)`` and ``{…}``."""
    out, current, redirects = [], [], []
    pos = 0
    pending_redirect = False
    while pos < len(text):
        an.tick()
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise Unanalysable("PowerShell syntax that cannot be tokenized")
            break
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "op":
            if ">" in value:
                pending_redirect = True
                continue
            out.append((current, redirects))
            current, redirects = [], []
            continue
        if kind in ("sub", "block"):
            end = _matching(text, pos, ")" if kind == "sub" else "}")
            inner = text[pos:end]
            analyse(inner, an, scope, via, depth + 1)
            pos = min(end + 1, len(text))
            word = Word(("$(" if kind == "sub" else "{") + inner + (")" if kind == "sub" else "}"),
                        dynamic=True)
        elif kind == "close":
            continue
        elif kind == "sq":
            word = Word(value[1:-1].replace("''", "'"))
        elif kind == "dq":
            body = re.sub(r"`(.)", r"\1", value[1:-1])
            word = _expand(body, an, scope)
        else:
            word = _expand(value, an, scope) if "$" in value or value.startswith("~") else Word(
                _posix(value) if "\\" in value or re.match(r"^[A-Za-z]:", value) else value)
        if pending_redirect:
            redirects.append(word)
            pending_redirect = False
        else:
            current.append(word)
    out.append((current, redirects))
    return out


def _matching(text: str, pos: int, close: str) -> int:
    opener = "(" if close == ")" else "{"
    depth, quote = 0, ""
    for i in range(pos, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == opener:
            depth += 1
        elif ch == close:
            if depth == 0:
                return i
            depth -= 1
    return len(text)


def _expand(text: str, an: Analysis, scope: Scope) -> Word:
    """Resolve ``$HOME``, ``$env:NAME``, ``~`` and ``$pwd``; other variables are dynamic."""
    dynamic = False

    def var(m: re.Match) -> str:
        nonlocal dynamic
        name = m.group(1).lower()
        if name in ("home", "env:home", "env:userprofile"):
            return scope.places.home
        if name in ("pwd",):
            return scope.places.cwd
        if name in ("env:temp", "env:tmp", "env:tmpdir"):
            key = name.split(":")[1].upper()
            if an.env.get(key):
                return an.env[key]
        if name == "null":
            return "$null"
        dynamic = True
        return m.group(0)
    out = re.sub(r"\$\{?((?:env:)?\w+)\}?", var, text)
    if out.startswith("~"):
        out = scope.places.home + out[1:]
    return Word(_posix(out), dynamic=dynamic)


def _posix(path: str) -> str:
    """``C:\\Users\\x`` -> ``/Users/x`` (drive letters dropped), backslashes to slashes."""
    path = path.replace("\\", "/")
    return re.sub(r"^[A-Za-z]:(?=/|$)", "", path) or "/"


def _params(words: list[Word]) -> tuple[dict[str, list[Word]], list[Word], list[str]]:
    """``-Name value`` parameters, positional operands and switch names (lowercase)."""
    params: dict[str, list[Word]] = {}
    operands: list[Word] = []
    switches: list[str] = []
    i = 0
    while i < len(words):
        text = words[i].text
        if text.startswith("-") and len(text) > 1 and not words[i].dynamic and not text[1].isdigit():
            name, colon, value = text[1:].partition(":")
            name = _full_switch(name.lower())
            if colon:
                params.setdefault(name, []).append(Word(value))
            elif name in SWITCHES or i + 1 >= len(words) or words[i + 1].text.startswith("-"):
                switches.append(name)
            else:
                params.setdefault(name, []).append(words[i + 1])
                i += 1
        else:
            operands.append(words[i])
        i += 1
    return params, operands, switches


def _full_switch(name: str) -> str:
    """PowerShell accepts any unambiguous prefix of a parameter: ``-fo`` is ``-Force``."""
    for full in ("recurse", "force"):
        if len(name) >= 2 and full.startswith(name) or name == full[0]:
            return full
    return name


def _statement(words: list[Word], redirects: list[Word], an: Analysis, scope: Scope,
               via: tuple[str, ...], depth: int) -> None:
    if words and words[0].text in ("&", "."):
        words = words[1:]
    if not words:
        return
    raw = " ".join(w.text for w in words)
    cmd = Cmd(words=tuple(words), raw=raw, scope=scope, via=via, depth=depth)
    for target in redirects:
        if target.text.lower() not in ("$null", "&1", "&2", "null"):
            an.file("file_write", target, cmd, program="powershell")
    name = words[0].text.lower()
    params, operands, switches = _params(words[1:])
    paths = [*[w for k in PATH_PARAMS for w in params.get(k, [])], *operands]
    flags = tuple(dict.fromkeys([*switches, *("r" for s in switches if s in ("recurse", "r")),
                                 *("f" for s in switches if s in ("force", "f"))]))
    handled = True
    if name in DELETE:
        for w in paths:
            an.file("file_delete", w, cmd, flags, program=name)
    elif name in WRITE:
        for w in paths[:1] if name not in ("new-item", "ni", "mkdir", "md") else paths:
            an.file("file_write", w, cmd, flags, program=name)
    elif name in READ:
        for w in paths:
            an.file("file_read", w, cmd, flags, program=name)
    elif name in COPY or name in MOVE:
        dest = (params.get("destination") or params.get("newname") or operands[1:2] or [None])[0]
        sources = [w for k in PATH_PARAMS for w in params.get(k, [])] or operands[:1]
        for w in sources:
            an.file("file_delete" if name in MOVE else "file_read", w, cmd, flags, program=name)
        if dest is not None:
            an.file("file_write", dest, cmd, flags, program=name)
    elif name in WEB:
        _web(an, cmd, name, params, operands)
    elif name in EVAL:
        code = (params.get("command") or operands or [Word("", True)])[0]
        if code.dynamic:
            an.add(Action(kind="exec", resource=name, program=name, via=via, raw=raw, dynamic=True))
            return
        analyse(code.text, an, scope, (*via, "iex"), depth + 1)
    elif name in START:
        target = (params.get("filepath") or operands[:1] or [Word("", True)])[0]
        arglist = params.get("argumentlist", []) + operands[1:]
        inner = [target, *[Word(p) for a in arglist for p in a.text.replace(",", " ").split()]]
        an.dispatch(Cmd(words=tuple(inner), raw=raw, scope=scope, via=(*via, "start-process"), depth=depth))
    else:
        handled = False
    if handled:
        an.add(Action(kind="exec", resource=name, program=name, args=tuple(w.text for w in operands),
                      flags=flags, via=via, raw=raw, dynamic=any(w.dynamic for w in words[:1])))
        return
    an.dispatch(cmd)


def _web(an: Analysis, cmd: Cmd, name: str, params, operands) -> None:
    url = (params.get("uri") or params.get("source") or operands[:1] or [None])[0]
    method = (params.get("method") or [Word("GET")])[0].text.upper()
    secret = False
    for w in params.get("infile", []):
        secret |= an.file("file_read", w, cmd, program=name).is_secret
    body = params.get("body", [])
    secret |= any(w.secret for w in body)
    sends = bool(body or params.get("infile")) or method in ("POST", "PUT", "PATCH")
    for w in params.get("outfile", []) + params.get("destination", []):
        an.file("file_write", w, cmd, program=name)
    if url is not None:
        net.remote(an, cmd, name, url, sends_data=sends, sends_secret=secret)
