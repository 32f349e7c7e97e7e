"""PowerShell: a tokenizer, statements split on ``; | && ||`` and newlines, and the common cmdlets
(and their aliases) mapped onto actions. Anything else runs as a program and goes through the same
program handlers as a shell command (``git push --force`` is ``git push``).

``Invoke-Expression``/``iex`` runs its text as PowerShell: a literal is analysed, anything else
(a download, a pipe, a variable) is code nobody can read here. ``-EncodedCommand`` is decoded
(base64 of UTF-16LE) and analysed. Registry keys are paths under ``/registry/<hive>/``, so a Run
key is a persistence write; ``Env:`` listed whole is an environment dump.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re
import sys

from vectimus.analyser.context import (
    MAX_COMMAND_BYTES, MAX_DEPTH, Analysis, Cmd, Input, Scope, Unanalysable, Word,
)
from vectimus.analyser.facts import net
from vectimus.analyser.languages import loads, record, shown
from vectimus.analyser.languages.windows_paths import decode, is_env_drive, posix, registry, windows_path
from vectimus.model import Action

DELETE = {"remove-item", "rm", "del", "erase", "ri", "rd", "rmdir"}
# Aliases PowerShell 6+ drops off Windows: there the name runs the program (`rm -rf ~` is /bin/rm).
UNIX_PROGRAMS = frozenset(("ac", "cat", "clear", "compare", "cp", "cpp", "diff", "kill", "ls", "man", "mount", "mv",
                           "ps", "rm", "rmdir", "sleep", "sort", "start", "tee", "write"))
WRITE = {"set-content", "sc", "add-content", "ac", "out-file", "new-item", "ni", "mkdir", "md",
         "set-itemproperty", "clear-content", "clc", "export-csv", "tee-object", "tee"}
READ = {"get-content", "gc", "cat", "type", "import-csv", "select-string", "sls", "get-item", "gi",
        "get-childitem", "gci", "ls", "dir", "import-clixml", "format-hex", "get-filehash"}
COPY = {"copy-item", "cp", "copy", "cpi"}
MOVE = {"move-item", "mv", "move", "mi", "rename-item", "ren", "rni"}
WEB = {"invoke-webrequest", "iwr", "wget", "curl", "invoke-restmethod", "irm", "start-bitstransfer"}
EVAL = {"invoke-expression", "iex"}
ASSIGN_OPS = {"=", "+=", "-=", "*=", "/=", "??="}
VARIABLE = "ps:"  # PowerShell variables in the scope's table (case-insensitive, lower-cased)
BLOCK = "{script block}"  # a variable holding a script block, whose code was analysed where written
_CMDLET = re.compile(r"^[a-z]+-[a-z][a-z0-9]*$")  # Verb-Noun: a cmdlet, not a program
NEW_OBJECT = {"new-object"}
REGISTRY_WRITE = {"new-itemproperty", "set-itemproperty", "sp"}
START = {"start-process", "start", "saps"}
LOADERS = {"import-module", "ipmo", "invoke-command", "icm"}
PATH_PARAMS = {"path", "literalpath", "filepath", "lp", "pspath"}
SWITCHES = {"recurse", "force", "whatif", "confirm", "append", "noclobber", "passthru", "usebasicparsing",
            "verbose", "debug", "raw", "wait", "nonewline", "nonewwindow", "allowclobber", "r", "f", "name"}
_TOKEN = re.compile(r"""\s*(?:(?P<op>&&|\|\||[;|\n]|[0-9*]?>>?(?:&[12])?)|(?P<sq>'(?:[^']|'')*')|"""
                    r"""(?P<dq>"(?:[^"`]|`.)*")|(?P<sub>\$?\()|(?P<block>\{)|(?P<close>[)}])|(?P<word>[^\s;|"'(){}]+))""",
                    re.S)


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """PowerShell code that ``cmd`` runs (``pwsh -Command``, ``-EncodedCommand``, a script)."""
    if code.dynamic:
        record.evaluate(an, cmd, lang, code, "powershell")
        return
    analyse_text(code.text, an, Scope(cmd.scope.places, {}, cmd.scope.cwd_dynamic), cmd.via, cmd.depth,
                 cmd.stdin)


def analyse_text(text: str, an: Analysis, scope: Scope, via: tuple[str, ...] = (), depth: int = 0,
                 stdin: Input = Input(), prints: bool = True) -> None:
    """Record the actions of a PowerShell command line (``prints``: its output is shown, not the value
    of a ``(…)`` sub-expression)."""
    if depth > MAX_DEPTH:
        raise Unanalysable(f"PowerShell code nested more than {MAX_DEPTH} levels deep")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_COMMAND_BYTES:
        raise Unanalysable(f"PowerShell command longer than {MAX_COMMAND_BYTES} bytes")
    piped = stdin
    start = len(an.actions)
    for statement, redirects, separator in _statements(text, an, scope, via, depth):
        before = an.secret_reads
        if statement:
            _statement(statement, redirects, an, scope, via, depth, piped)
            if prints:
                shown.powershell(an, statement, redirects, separator, scope, via, depth)
        # the next statement of a pipeline reads this one's output (the items a listing gives)
        piped = Input("pipe", secret=piped.secret or an.secret_reads > before, path=_listed(statement)) \
            if separator == "|" else Input()
    record.wire_sockets(an, start, Cmd(words=(Word("powershell"),), raw=text, scope=scope, via=via, depth=depth))


def _statements(text, an, scope, via, depth):
    """Split into statements (lists of Words) with their redirect targets, each given as it ends
    (so a variable assigned before is known to it); run ``$(…)`` and ``{…}``."""
    current: list[Word] = []
    redirects: list[Word] = []
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
            yield current, redirects, value
            current, redirects = [], []
            continue
        if kind in ("sub", "block"):
            end = _matching(text, pos, ")" if kind == "sub" else "}")
            inner = text[pos:end]
            attached = (value == "(" and current and not text[m.start(kind) - 1].isspace()
                        and re.search(r"[.\[\]$:]", current[-1].text) is not None)  # `IEX(…)` is a command
            pos = min(end + 1, len(text))
            if attached:  # `.DownloadString(…)`, `[IO.File]::ReadAllText(…)`: a call's arguments
                name = current.pop()
                _method(name.text, _arguments(inner, an, scope, via, depth), an, scope, via, depth, inner)
                word = Word(f"{name.text}({inner})", dynamic=True)
            else:  # `(Get-Content .env)`: its value carries what it read
                before = an.secret_reads
                analyse_text(inner, an, scope, via, depth + 1, prints=kind == "block")
                word = Word(("$(" if kind == "sub" else "{") + inner + (")" if kind == "sub" else "}"),
                            dynamic=True, secret=an.secret_reads > before)
        elif kind == "close":
            continue
        elif kind == "sq":
            word = windows_path(Word(value[1:-1].replace("''", "'")))
        elif kind == "dq":
            body = re.sub(r"`(.)", r"\1", value[1:-1])
            word = windows_path(_expand(body, an, scope))
        else:
            joined = re.match(r"^(\$[\w:]+)([-+*/?]?=)(.*)$", value) if not current else None
            if joined:  # `$c=New-Object …`: an assignment written without spaces
                current += [Word(joined.group(1), dynamic=True), Word(joined.group(2))]
                value = joined.group(3)
                if not value:
                    continue
            word = _expand(value, an, scope) if "$" in value or value.startswith("~") else Word(
                posix(value) if "\\" in value or re.match(r"^[A-Za-z]:", value) else value)
        if pending_redirect:
            redirects.append(word)
            pending_redirect = False
        elif current and (word.text.startswith(",") or current[-1].text.endswith(",")):
            prev = current[-1]  # `'-enc', "AAA"`: one array argument
            current[-1] = Word(prev.text + word.text, prev.dynamic or word.dynamic, secret=prev.secret or word.secret)
        else:
            current.append(word)
    yield current, redirects, ""


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
        if name in ("null", "true", "false"):
            return "$" + name
        known = scope.vars.get(VARIABLE + name)
        if known is not None and not known.dynamic:
            return known.text
        dynamic = True
        return m.group(0)
    out = re.sub(r"\$\{?((?:env:)?\w+)\}?", var, text)
    if out.startswith("~"):
        out = scope.places.home + out[1:]
    return Word(posix(out), dynamic=dynamic)


def _is_parameter(word: Word) -> bool:
    """``-Name`` or ``-Name:value`` (not ``-1``, not a quoted ``'-enc AAA'`` or a list)."""
    return not word.dynamic and re.match(r"^-[A-Za-z_?][\w-]*(?::|$)", word.text) is not None


def _params(words: list[Word]) -> tuple[dict[str, list[Word]], list[Word], list[str]]:
    """``-Name value`` parameters, positional operands and switch names (lowercase)."""
    params: dict[str, list[Word]] = {}
    operands: list[Word] = []
    switches: list[str] = []
    i = 0
    while i < len(words):
        text = words[i].text
        if _is_parameter(words[i]):
            name, colon, value = text[1:].partition(":")
            name = _full_switch(name.lower())
            if colon:
                params.setdefault(name, []).append(Word(value))
            elif name in SWITCHES or i + 1 >= len(words) or _is_parameter(words[i + 1]):
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
               via: tuple[str, ...], depth: int, piped: Input = Input()) -> None:
    called = bool(words) and words[0].text in ("&", ".")
    if called:
        words = words[1:]
    if len(words) > 1 and words[0].text.startswith("$") and words[1].text in ASSIGN_OPS:
        key = VARIABLE + words[0].text[1:].strip("{}").lower()
        if words[1].text == "=" and len(words) == 3 and not words[2].dynamic:
            scope.vars[key] = words[2]  # `$c = "Remove-Item"`: later `& $c` runs it
        elif words[1].text == "=" and len(words) == 3 and (
                words[2].text.startswith("{") or words[2].text.lower().startswith("[scriptblock]::create(")):
            scope.vars[key] = Word(BLOCK, dynamic=True)  # a script block, analysed where it was written
        else:
            scope.vars[key] = Word(words[0].text, dynamic=True)
        words = words[2:]  # `$c = New-Object …`: the value is what runs
    if not words:
        return
    if not called and (words[0].dynamic or words[0].text[:1] in "[$\"'0123456789"):
        return  # an expression, not a command: its calls and subexpressions were analysed
    if called and scope.vars.get(VARIABLE + words[0].text[1:].strip("{}").lower(), Word("")).text == BLOCK:
        return  # `& $block`: its code was analysed where it was written
    if called and words[0].dynamic and not words[0].text.startswith("{") and not _program_path(words[0]):
        # `& $c`, `& ([char]114 + …)`, `& (Get-Command …)`: a command nobody can name here
        an.add(Action(kind="exec", resource="powershell", program="powershell", via=(*via, "&"),
                      raw=" ".join(w.text for w in words), dynamic=True))
        return
    raw = " ".join(w.text for w in words)
    cmd = Cmd(words=tuple(words), raw=raw, scope=scope, via=via, depth=depth, stdin=piped)
    for target in redirects:
        if target.text.lower() not in ("$null", "&1", "&2", "null"):
            an.file("file_write", target, cmd, program="powershell")
    name = words[0].text.lower()
    if name in UNIX_PROGRAMS and sys.platform != "win32":
        an.dispatch(cmd)
        return
    params, operands, switches = _params(words[1:])
    paths = [*[w for k in PATH_PARAMS for w in params.get(k, [])], *operands]
    flags = tuple(dict.fromkeys([*switches, *params, *("r" for s in switches if s in ("recurse", "r")),
                                 *("f" for s in switches if s in ("force", "f"))]))
    handled = True
    if name in DELETE:
        if not paths and piped.path:  # `Get-ChildItem ~ | Remove-Item -Recurse`: each item listed
            paths = [Word(piped.path, glob=piped.path.endswith("*"))]
        for w in paths:
            an.file("file_delete", registry(w), cmd, flags, program=name)
    elif name in REGISTRY_WRITE:
        for w in paths[:1]:
            an.file("file_write", registry(w), cmd, flags, program=name)
    elif name in WRITE:
        for w in paths[:1] if name not in ("new-item", "ni", "mkdir", "md") else paths:
            an.file("file_write", registry(w), cmd, flags, program=name)
    elif name in READ and any(is_env_drive(w.text) for w in paths) and "name" not in switches:  # -Name: names only
        record.environment_dump(an, cmd, f"{name} env:")
    elif name in READ:
        for w in paths:
            if not w.text.lower().startswith("env:"):  # one variable of the Env: drive
                an.file("file_read", registry(w), cmd, flags, program=name)
    elif name in COPY or name in MOVE:
        dest = next(iter(params.get("destination") or params.get("newname") or operands[1:2]), None)
        sources = [w for k in PATH_PARAMS for w in params.get(k, [])] or operands[:1]
        for w in sources:
            an.file("file_delete" if name in MOVE else "file_read", w, cmd, flags, program=name)
        if dest is not None:
            an.file("file_write", dest, cmd, flags, program=name)
    elif name in WEB:
        _web(an, cmd, name, params, operands, piped)
        if name in ("curl", "wget"):  # PowerShell 6+ has no such aliases: the programs run
            an.dispatch(cmd)
    elif name in EVAL:
        code = next(iter(params.get("command") or operands), None)
        if code is None and piped.kind:
            code = Word("", dynamic=True)  # `iwr … | iex`: the code is what the pipe carries
        if code is None or code.dynamic:
            _decoded_payloads(raw, an, scope, via, depth)
            an.add(Action(kind="exec", resource=name, program=name, via=via, raw=raw, dynamic=True))
            return
        analyse_text(code.text, an, scope, (*via, "iex"), depth + 1)
    elif name in START:
        target = (params.get("filepath") or operands[:1] or [Word("", True)])[0]
        arglist = params.get("argumentlist", []) + operands[1:]
        inner = [target, *[Word(p, a.dynamic) for a in arglist for p in _split_arguments(a.text)]]
        an.dispatch(Cmd(words=tuple(inner), raw=raw, scope=scope, via=(*via, "start-process"), depth=depth))
    elif name in NEW_OBJECT:
        type_name = (params.get("typename") or operands[:1] or [Word("")])[0].text
        args = [Word(p, a.dynamic) for a in params.get("argumentlist", []) + operands[1:]
                for p in _split_arguments(a.text)]
        _method(type_name, args, an, scope, via, depth, raw)
    elif name in LOADERS:  # Import-Module ./x.psm1, Invoke-Command -FilePath x.ps1: that file runs
        for w in params.get("filepath", []) + params.get("name", []) + operands[:1]:
            if "/" in w.text or w.text.lower().endswith((".ps1", ".psm1")):
                loads.follow(an, cmd, "powershell", w, name, dirs=(an.target(Word("."), scope).path,))
    elif not _CMDLET.match(name):
        handled = False  # a program: its handler knows what it does
    if handled:
        an.add(Action(kind="exec", resource=name, program=name, args=tuple(w.text for w in operands),
                      flags=flags, via=via, raw=raw, dynamic=any(w.dynamic for w in words[:1])))
        return
    an.dispatch(cmd)


LISTERS = {"get-childitem": "/*", "gci": "/*", "ls": "/*", "dir": "/*", "get-item": "", "gi": "",
           "resolve-path": "", "rvpa": ""}


def _listed(words: list[Word]) -> str:
    """The items a listing statement puts in its pipe (``gci ~``: what ``~`` holds), or ""."""
    if not words or words[0].text.lower() not in LISTERS:
        return ""
    params, operands, _ = _params(words[1:])
    where = next(iter([w for k in PATH_PARAMS for w in params.get(k, [])] + operands), Word("."))
    if where.dynamic:
        return ""
    only = next(iter(params.get("filter", []) + params.get("include", [])), None)
    tail = "/" + only.text if only is not None and LISTERS[words[0].text.lower()] else LISTERS[words[0].text.lower()]
    return (where.text.rstrip("/") or "") + tail


def _program_path(word: Word) -> bool:
    """``& "$env:ProgramFiles/Git/bin/git.exe"``: a program by path (in an unknown directory)."""
    return "/" in word.text or "\\" in word.text or word.text.lower().endswith(".exe")


def _split_arguments(text: str) -> list[str]:
    """``-ArgumentList '/c','del x'`` or ``"-enc AAA"``: the words a program gets."""
    return [p for p in re.split(r"[,\s]+", text) if p]


def _web(an: Analysis, cmd: Cmd, name: str, params, operands, piped: Input) -> None:
    url = (params.get("uri") or params.get("source") or operands[:1] or [None])[0]
    method = (params.get("method") or [Word("GET")])[0].text.upper()
    secret = piped.secret
    for w in params.get("infile", []):
        secret |= an.file("file_read", w, cmd, program=name).is_secret
    body = params.get("body", [])
    secret |= any(w.secret for w in body)
    sends = bool(body or params.get("infile") or piped.kind) or method in ("POST", "PUT", "PATCH")
    for w in params.get("outfile", []) + params.get("destination", []):
        an.file("file_write", w, cmd, program=name)
    if url is not None:
        net.remote(an, cmd, name, url, sends_data=sends, sends_secret=secret and sends)


# -- .NET calls -------------------------------------------------------------------------------

def _arguments(inner: str, an: Analysis, scope: Scope, via, depth) -> list[Word]:
    """A call's argument list: literals are known, anything else is analysed and unknown."""
    out: list[Word] = []
    for statement, _, _ in _statements(inner, an, scope, via, depth + 1):
        for word in statement:  # `'a', 4` arrives as one array word
            out.extend(Word(p.strip(), word.dynamic, secret=word.secret) for p in word.text.split(",") if p.strip())
    return out


def _method(name: str, args: list[Word], an: Analysis, scope: Scope, via, depth: int, raw: str) -> None:
    """The .NET calls that act: web clients, files, sockets, the environment."""
    member = re.sub(r"^.*(?:\.|::)", "", name).lower()
    type_name = name.lower().lstrip("[").split("]")[0]
    cmd = Cmd(words=(Word("powershell"),), raw=raw, scope=scope, via=via, depth=depth)
    first = args[0] if args else Word("", dynamic=True)
    if member == "create" and "scriptblock" in type_name:  # [scriptblock]::Create(text): code
        if first.dynamic:
            an.add(Action(kind="exec", resource="powershell", program="powershell",
                          via=(*via, "[scriptblock]::Create"), raw=raw, dynamic=True))
        else:
            analyse_text(first.text, an, scope, (*via, "[scriptblock]::Create"), depth + 1)
    elif member in ("downloadstring", "downloaddata", "openread", "downloadfile", "downloadfileasync",
                  "downloadstringasync", "getstringasync", "getasync"):
        net.remote(an, cmd, "powershell", first)
        if member.startswith("downloadfile") and len(args) > 1:
            an.file("file_write", args[1], cmd, program="powershell")
    elif member in ("uploadstring", "uploaddata", "uploadfile", "uploadvalues", "postasync", "putasync"):
        secret = an.secret_reads > 0
        if member == "uploadfile" and len(args) > 1:
            secret |= an.file("file_read", args[-1], cmd, program="powershell").is_secret
        net.remote(an, cmd, "powershell", first, sends_data=True, sends_secret=secret)
    elif member in ("readalltext", "readallbytes", "readalllines", "readlines", "openread", "opentext"):
        an.file("file_read", first, cmd, program="powershell")
    elif member in ("writealltext", "writeallbytes", "writealllines", "appendalltext", "appendalllines",
                    "create", "createtext", "openwrite"):
        an.file("file_write", first, cmd, program="powershell")
    elif member in ("copy", "move", "replace") and ("directory" in type_name or "file" in type_name) and len(args) > 1:
        # [IO.File]::Copy(from, to), ::Move, ::Replace: the destination is written
        an.file("file_read" if member == "copy" else "file_delete", first, cmd, program="powershell")
        an.file("file_write", args[1], cmd, program="powershell")
    elif member == "delete" and ("directory" in type_name or "file" in type_name):
        recursive = "directory" in type_name and any(a.text.lower() == "$true" for a in args[1:])
        an.file("file_delete", first, cmd, ("r",) if recursive else (), program="powershell")
    elif member in ("getenvironmentvariables",):
        record.environment_dump(an, cmd, "[Environment]::GetEnvironmentVariables()")
    elif member in ("tcpclient", "udpclient", "new", "connect") and (
            "tcpclient" in type_name or "udpclient" in type_name or member in ("tcpclient", "udpclient")):
        if len(args) >= 2 and not args[0].dynamic:
            port = int(args[1].text) if args[1].text.isdigit() else 0
            record.socket(an, cmd, args[0], port, "udp" if "udp" in type_name + member else "tcp")
    elif member == "start" and "process" in type_name and args:
        an.dispatch(cmd.with_words([a for a in args if a.text], via="Process.Start"))


_BASE64 = r"FromBase64String\(\s*['\"]([A-Za-z0-9+/=\s]{8,})['\"]\s*\)"


def _decoded_payloads(raw: str, an: Analysis, scope: Scope, via, depth: int) -> None:
    """``iex ([Text.Encoding]::…GetString([Convert]::FromBase64String('…')))``: the decoded text."""
    for m in re.finditer(_BASE64, raw):
        text = decode(m.group(1), wide="unicode" in raw.lower())
        if text is not None:
            analyse_text(text, an, scope, (*via, "base64"), depth + 1)
