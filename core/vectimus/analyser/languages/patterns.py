"""Interpreter source read by patterns: file deletes and writes, subprocesses and network calls
found by the common library calls that perform them. Literal command strings are analysed as
shell code.

This is pattern matching over source text, not evaluation: arguments that are not literals (or
simple constant variables) are unresolved and make the action dynamic. Languages with a real
analyser in this package (python, javascript) do not come here.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import functools
import re

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.expand import ansi_c
from vectimus.analyser.facts import net
from vectimus.model import Action

# Patterns are strings, compiled through ``re``'s own cache when first used: most tool calls run
# no interpreter, and compiling them all would cost every hook process a few milliseconds.

_STR = r"""(?:[rRbBuUfF]{0,2}(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\")|[rRbBuUfF]{0,2}'(?:[^'\\\n]|\\.)*'|[rRbBuUfF]{0,2}"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)"""
_ASSIGN = r"(?<![\w$@])([$@]?[A-Za-z_]\w*+)\s*+=\s*+(" + _STR + r")"
_HOME_EXPR = (r"^(?:Path\.home\(\)|os\.homedir\(\)|os\.path\.expanduser\(\s*['\"]~['\"]\s*\)|"
              r"os\.environ\[['\"]HOME['\"]\]|os\.getenv\(['\"]HOME['\"]\)|process\.env\.HOME|"
              r"ENV\[['\"]HOME['\"]\]|\$ENV\{HOME\}|Dir\.home)$")
_WRAPPED = (r"(?s)^(?:pathlib\.)?(?:Path|PurePath|PosixPath|os\.path\.expanduser|os\.path\.abspath|"
            r"os\.path\.realpath|path\.resolve|File\.expand_path|Pathname\.new|realpath)\s*\((.*)\)$")
_JOIN = r"(?s)^(?:os\.path\.join|path\.join|File\.join)\s*\((.*)\)$"

# kind: rm_r, rm, write, read, open, copy, move, sh, argv, code, url, url_send, host, hostport
RULES: dict[str, list[tuple[str, str]]] = {
    "ruby": [
        (r"\bFileUtils\.(?:rm_rf|rm_r|remove_dir|remove_entry|remove_entry_secure|rmtree)\b", "rm_r"),
        (r"\bFileUtils\.(?:rm|rm_f|remove|remove_file|rmdir)\b|\b(?:File|Dir)\.(?:delete|unlink|rmdir)\b", "rm"),
        (r"\b(?:File|IO)\.(?:write|binwrite)\b|\bFileUtils\.(?:touch|mkdir_p|mkdir)\b", "write"),
        (r"\b(?:File|IO)\.(?:read|readlines|binread|foreach)\b", "read"),
        (r"\bFile\.open\b", "open"),
        (r"\bFileUtils\.(?:cp|cp_r|copy)\b", "copy"),
        (r"\bFileUtils\.(?:mv|move)\b|\bFile\.rename\b", "move"),
        (r"(?<![\w.:])(?:system|exec|spawn)\b|\bIO\.popen\b|\bOpen3\.\w+\b|\bPTY\.spawn\b", "argv"),
        (r"(?<![\w.])(?:eval|instance_eval|class_eval)\b", "code"),
        (r"\bNet::HTTP\.(?:get|get_response|get_print)\b|\bURI(?:\.open)?\s*\(|\bURI\.parse\b|"
         r"\b(?:HTTParty|RestClient|Faraday)\.(?:get|head|delete)\b|(?<![\w.])open\s*\((?=\s*['\"]https?:)", "url"),
        (r"\bNet::HTTP\.(?:post|post_form)\b|\b(?:HTTParty|RestClient|Faraday)\.(?:post|put|patch)\b", "url_send"),
        (r"\bNet::HTTP\.(?:new|start)\b|\b(?:TCPSocket|UDPSocket|Socket\.tcp)\b(?:\.(?:new|open))?", "hostport"),
    ],
    "perl": [
        (r"(?<![\w$>])(?:rmtree|remove_tree)\b", "rm_r"),
        (r"(?<![\w$>])(?:unlink|rmdir)\b", "rm"),
        (r"(?<![\w$>])open\b", "perl_open"),
        (r"(?<![\w$>])(?:File::Copy::)?copy\b", "copy"),
        (r"(?<![\w$>])(?:File::Copy::)?move\b|(?<![\w$>])rename\b", "move"),
        (r"(?<![\w$>])(?:system|exec)\b", "argv"),
        (r"(?<![\w$>])eval\b(?!\s*\{)", "code"),
        (r"(?<![\w$>])(?:get|getstore|getprint|head|mirror)\s*\(|->\s*(?:get|head|delete|mirror)\s*\(", "url"),
        (r"->\s*(?:post|put|request)\s*\(", "url_send"),
        (r"\bIO::Socket::(?:INET6?|IP|SSL)\s*->\s*new\s*\(", "perl_socket"),
    ],
    "php": [
        (r"(?<![\w$>])(?:unlink|rmdir)\s*\(", "rm"),
        (r"(?<![\w$>])(?:file_put_contents|touch|mkdir|chmod)\s*\(", "write"),
        (r"(?<![\w$>])(?:readfile|file|parse_ini_file|file_get_contents)\s*\(", "read_or_url"),
        (r"(?<![\w$>])fopen\s*\(", "open"),
        (r"(?<![\w$>])copy\s*\(", "copy"),
        (r"(?<![\w$>])rename\s*\(", "move"),
        (r"(?<![\w$>])(?:system|exec|shell_exec|passthru|popen|proc_open)\s*\(", "sh"),
        (r"(?<![\w$>])(?:eval|assert|create_function)\s*\(", "code"),
        (r"(?<![\w$>])(?:curl_init|get_headers|stream_socket_client)\s*\(", "url"),
        (r"(?<![\w$>])p?fsockopen\s*\(", "hostport"),
    ],
}


@functools.cache
def _compiled(lang: str) -> list[tuple[re.Pattern, str]]:
    """The rules of one language, compiled on first use (most calls run no interpreter)."""
    return [(re.compile(rx), kind) for rx, kind in RULES[lang]]


_NETWORK_KINDS = {"url", "url_send", "url2", "host", "hostport", "porthost", "perl_socket"}
# Quoted commands: backticks (ruby, perl, php), %x(…) (ruby), qx(…) (perl).
_BACKTICKS = {"ruby": (r"`((?:[^`\\]|\\.){0,4096})`|%x\(([^)]{0,4096})\)|%x\{([^}]{0,4096})\}|"
                       r"%x\[([^\]]{0,4096})\]"),
              "perl": (r"`((?:[^`\\]|\\.){0,4096})`|\bqx\s*\(([^)]{0,4096})\)|\bqx\s*\{([^}]{0,4096})\}|"
                       r"\bqx/([^/]{0,4096})/"),
              "php": r"`((?:[^`\\]|\\.){0,4096})`"}
_ENV_DUMP = r"%ENV|\bENV\.to_h|\bgetenv\(\s*\)"
_SENDS = r"(?i)\b(data|json|files|body|form)\s*[=:]|method\s*[=:]\s*['\"]?(post|put|patch)"


class Code:
    """One code string under analysis."""

    def __init__(self, an: Analysis, cmd: Cmd, lang: str, text: str) -> None:
        self.an, self.cmd, self.lang, self.text = an, cmd, lang, text
        self.consts: dict[str, str] = {}
        for m in re.finditer(_ASSIGN, text):
            value = _literal(m.group(2), lang)
            if value is not None:
                self.consts.setdefault(m.group(1), value)

    def value(self, expr: str) -> Word:
        """The value of an argument expression: a literal, a constant variable, a wrapped path."""
        expr = expr.strip()
        if "=" in expr and re.match(r"^\w+\s*=[^=]", expr):  # keyword argument
            expr = expr.split("=", 1)[1].strip()
        if re.match(_HOME_EXPR, expr):
            return Word("~")
        lit = _literal(expr, self.lang)
        if lit is not None:
            return Word(lit)
        if expr in self.consts:
            return Word(self.consts[expr])
        m = re.match(_WRAPPED, expr)
        if m:
            parts = _split_args(m.group(1))
            return self.value(parts[0]) if parts else Word(expr, dynamic=True)
        m = re.match(_JOIN, expr)
        if m:
            parts = [self.value(a) for a in _split_args(m.group(1))]
            text = "/".join(p.text.rstrip("/") for p in parts)
            return Word(text, any(p.dynamic for p in parts))
        if "/" in expr and re.fullmatch(r"[\w.()\[\]'\" ]+(\s*/\s*['\"][^'\"]*['\"])+", expr):
            head, _, tail = expr.partition("/")
            a, b = self.value(head), self.value(tail)
            return Word(a.text.rstrip("/") + "/" + b.text, a.dynamic or b.dynamic)
        return Word(expr, dynamic=True)

    def values(self, expr: str) -> list[Word]:
        """A list literal's items, or the single value."""
        expr = expr.strip()
        if expr[:1] in "[(" and expr[-1:] in "])":
            return [self.value(a) for a in _split_args(expr[1:-1])]
        return [self.value(expr)]


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record the actions of ``lang`` source ``code`` that ``cmd`` runs (``cmd.via`` ends in how)."""
    c = Code(an, cmd, lang, code.text)
    before = an.secret_reads
    _scan(c, network_pass=False)
    if re.search(_ENV_DUMP, code.text):
        an.secret_reads += 1  # like ``env``: what the code sends or prints may carry the environment
    secret = an.secret_reads > before or code.secret
    _scan(c, network_pass=True, secret=secret)
    if _NETWORK_HINT.get(lang) and re.search(_NETWORK_HINT[lang], code.text):
        reported = {a.net.url for a in an.actions if a.kind == "network"}
        for m in re.finditer(r"""(?:https?|wss?|ftp)://[^\s'"`)]+""", code.text):
            if m.group(0) not in reported:
                net.remote(an, cmd, _prog(cmd), Word(m.group(0)), sends_secret=secret and
                           bool(re.search(r"post|put|patch|send|write|data=", code.text, re.I)))


_NETWORK_HINT = {
    "ruby": r"\b(Net::HTTP|open-uri|URI|TCPSocket|HTTParty|RestClient|Faraday)\b",
    "perl": r"\b(LWP|HTTP::Tiny|IO::Socket|Net::|Socket)\b",
    "php": r"\b(curl_\w+|file_get_contents|fsockopen|stream_socket_client)\b",
}


def _prog(cmd: Cmd) -> str:
    return cmd.words[0].text.rpartition("/")[2] if cmd.words else ""


def _scan(c: Code, network_pass: bool, secret: bool = False) -> None:
    for rx, kind in _compiled(c.lang):
        if (kind in _NETWORK_KINDS) != network_pass:
            continue
        for m in rx.finditer(c.text):
            args = _call_args(c.text, m.end())
            # Charge the text scanned for the arguments, so repeated unclosed calls stay bounded.
            c.an.tick(1 + sum(len(a) + 1 for a in args or ()) // 16)
            if args is not None:
                _act(c, kind, args, secret)
    if not network_pass and c.lang in _BACKTICKS:
        for m in re.finditer(_BACKTICKS[c.lang], c.text):
            body = next(g for g in m.groups() if g is not None)
            _shell(c, Word(body, dynamic=_interpolates(body, c.lang)))


def _act(c: Code, kind: str, args: list[str], secret: bool) -> None:
    an, cmd, prog = c.an, c.cmd, _prog(c.cmd)
    first = c.value(args[0]) if args else Word("", dynamic=True)
    if kind in ("rm_r", "rm"):
        recursive = kind == "rm_r" or "recursive" in " ".join(args[1:])
        for word in c.values(args[0]) if args else [first]:
            an.file("file_delete", word, cmd, ("r",) if recursive else (), program=prog)
    elif kind == "write":
        an.file("file_write", first, cmd, program=prog)
    elif kind == "read":
        an.file("file_read", first, cmd, program=prog)
    elif kind == "read_or_url":
        if net.is_url(first.text):
            net.remote(an, cmd, prog, first, sends_secret=secret)
        else:
            an.file("file_read", first, cmd, program=prog)
    elif kind == "open":
        modes = [a for a in args[1:] if re.match(r"\s*mode\s*=", a)] or \
            [a for a in args[1:2] if not re.match(r"\s*\w+\s*=[^=]", a)]
        mode = c.value(modes[0]).text if modes else "r"
        if net.is_url(first.text):
            net.remote(an, cmd, prog, first)
        else:
            an.file("file_write" if re.search(r"[wax+]", mode) else "file_read", first, cmd, program=prog)
    elif kind == "perl_open":
        _perl_open(c, args)
    elif kind in ("copy", "move"):
        if len(args) >= 2:
            an.file("file_delete" if kind == "move" else "file_read", first, cmd, program=prog)
            an.file("file_write", c.value(args[1]), cmd, program=prog)
    elif kind == "sh":
        _shell(c, first)
    elif kind in ("argv", "argv2", "argvrest", "argvsplit"):
        _argv(c, kind, args)
    elif kind == "code":
        if args and args[0].strip().startswith("{"):
            return
        if first.dynamic:
            _dynamic(c)
        else:
            an.code(c.lang, first, cmd, f"{c.lang} eval")
    elif kind in ("url", "url_send", "url2"):
        target = c.value(args[1]) if kind == "url2" and len(args) > 1 else first
        sends = kind == "url_send" or bool(re.search(_SENDS, " ".join(args[1:]))) \
            or (kind == "url2" and first.text.upper() in ("POST", "PUT", "PATCH"))
        net.remote(an, cmd, prog, target, sends_data=sends, sends_secret=sends and secret)
    elif kind in ("host", "hostport", "porthost", "perl_socket"):
        _hostport(c, kind, args, secret)


def _shell(c: Code, word: Word) -> None:
    c.an.shell(word, c.cmd, f"{c.lang} subprocess")


def _dynamic(c: Code) -> None:
    """Code built at run time (``exec(input())``): what it does cannot be known here."""
    prog = _prog(c.cmd)
    c.an.add(Action(kind="exec", resource=prog, program=prog, via=(*c.cmd.via, f"{c.lang} eval"),
                    raw=c.cmd.raw, dynamic=True))


def _argv(c: Code, kind: str, args: list[str]) -> None:
    if not args:
        return
    shell_kw = any(re.match(r"\s*shell\s*=\s*True", a) for a in args[1:])
    if kind == "argv2":
        words = c.values(args[1]) if len(args) > 1 else []
    elif kind == "argvrest":
        words = [c.value(a) for a in args[1:]]
    elif kind == "argvsplit":
        words = [c.value(args[0])] + (c.values(args[1]) if len(args) > 1 and args[1].strip().startswith("[") else [])
    else:
        head = args[0].strip()
        if head.startswith(("[", "(")) and head.endswith(("]", ")")) and not shell_kw:
            words = c.values(head)
        elif len(args) > 1 and c.lang in ("ruby", "perl") and not any("=" in a for a in args[1:]):
            words = [c.value(a) for a in args]
        else:
            _shell(c, c.value(head))
            return
    words = [w for w in words if w.text or w.dynamic]
    if words:
        c.an.dispatch(c.cmd.with_words(words, via=f"{c.lang} subprocess"))


def _perl_open(c: Code, args: list[str]) -> None:
    prog = _prog(c.cmd)
    if len(args) >= 3:
        mode = c.value(args[1]).text.strip()
        target = c.value(args[2])
        if mode.endswith("|") or mode.startswith("|") or mode == "-|":
            _shell(c, target)
        else:
            c.an.file("file_write" if re.search(r"[>+]", mode) else "file_read", target, c.cmd, program=prog)
    elif len(args) == 2:
        spec = c.value(args[1])
        text = spec.text.strip()
        if text.endswith("|") or text.startswith("|"):
            _shell(c, Word(text.strip("|").strip(), spec.dynamic))
        else:
            kind = "file_write" if text.startswith((">", "+<", "+>")) else "file_read"
            c.an.file(kind, Word(text.lstrip("<>+ ").strip(), spec.dynamic), c.cmd, program=prog)


def _hostport(c: Code, kind: str, args: list[str], secret: bool) -> None:
    prog = _prog(c.cmd)
    if not args:
        return
    if kind == "perl_socket":
        joined = ",".join(args)
        m = re.search(r"PeerAddr\s*=>\s*(" + _STR + ")", joined)
        host = c.value(m.group(1)) if m else c.value(args[0]) if len(args) == 1 else Word("", True)
        pm = re.search(r"PeerPort\s*=>\s*['\"]?(\d+)", joined)
        port = int(pm.group(1)) if pm else 0
    else:
        first = args[0].strip()
        parts = _split_args(first[1:-1]) if first.startswith("(") and first.endswith(")") else args
        if first.startswith("{"):
            hm = re.search(r"host\s*:\s*(" + _STR + ")", first)
            pm = re.search(r"port\s*:\s*(\d+)", first)
            host = c.value(hm.group(1)) if hm else Word("localhost")
            port = int(pm.group(1)) if pm else 0
        else:
            if kind == "porthost":
                parts = parts[1:2] + parts[:1]
            host = c.value(parts[0])
            pw = c.value(parts[1]).text if len(parts) > 1 else ""
            port = int(pw) if pw.isdigit() else 0
    if kind == "hostport" and host.dynamic and not net.is_url(host.text) and "connect" in c.text:
        if not re.search(_STR, args[0]):
            return  # a .connect(x) call on something that is not evidently a socket address
    net.remote(c.an, c.cmd, prog, host, port=port, scheme="tcp", sends_data=bool(secret),
                   sends_secret=secret)


# -- literal and argument scanning ----------------------------------------------------------

def _literal(expr: str, lang: str) -> str | None:
    """The value of a string literal expression, or None when it is not one."""
    expr = expr.strip()
    m = re.fullmatch(r"([rRbBuUfF]{0,2})('''|\"\"\"|'|\"|`)([\s\S]*)\2", expr)
    if not m:
        return None
    prefix, quote, body = m.groups()
    if quote in ("'", '"') and re.search(r"(?<!\\)" + re.escape(quote), body):
        return None  # two literals glued together, not one
    if "f" in prefix.lower() and "{" in body:
        return None
    if quote == "`" and "${" in body:
        return None
    if quote in ('"', "`") and _interpolates(body, lang):
        return None
    if "r" in prefix.lower() or (quote == "'" and lang in ("perl", "ruby", "php")):
        return body.replace("\\'", "'")
    return ansi_c(body)


def _interpolates(body: str, lang: str) -> bool:
    if lang in ("perl", "php"):
        return bool(re.search(r"(?<!\\)[$@]\w", body))
    if lang == "ruby":
        return "#{" in body
    return False


ARGS_WINDOW = 2048  # how far past a call's name its arguments are looked for (bounds the work)
BARE_WINDOW = 512   # the same for calls without parentheses


def _call_args(text: str, pos: int) -> list[str] | None:
    """The argument expressions of a call whose name ends at ``pos`` (parenthesised or not)."""
    i = pos
    while i < len(text) and text[i] in " \t":
        i += 1
    if text[pos - 1:pos] == "(":
        return _split_args(text[pos:pos + ARGS_WINDOW], close=True)
    if i < len(text) and text[i] == "(":
        return _split_args(text[i + 1:i + 1 + ARGS_WINDOW], close=True)
    # Ruby / Perl calls without parentheses: up to the end of the statement.
    window = text[i:i + BARE_WINDOW]
    end = _find_top(window, re.compile(_STATEMENT_END))
    rest = (window if end < 0 else window[:end]).strip()
    if not rest or rest[0] in "=.)":
        return None
    return _split_args(rest)


_STATEMENT_END = r"[;\n}]|\|\||&&|\s(?:if|unless|or|and)\s"


def _outside_strings(text: str):
    """Yield ``(index, char)`` for every character of ``text`` outside a string literal."""
    quote, i = "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        else:
            yield i, ch
        i += 1


def _find_top(text: str, stop: re.Pattern) -> int:
    """The index where ``stop`` matches at nesting level 0 outside strings, or -1."""
    depth = 0
    for i, ch in _outside_strings(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]" or (ch == "}" and depth > 0):
            depth -= 1
        elif depth <= 0 and stop.match(text, i):
            return i
    return -1


def _split_args(text: str, close: bool = False) -> list[str]:
    """Split argument text on top-level commas (stopping at the closing parenthesis)."""
    args, depth, start, end = [], 0, 0, len(text)
    for i, ch in _outside_strings(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                if close:
                    end = i
                    break
            else:
                depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    tail = text[start:end]
    if tail.strip():
        args.append(tail)
    return [a.strip() for a in args if a.strip()]
