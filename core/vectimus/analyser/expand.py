"""Shell words to values: quote removal, escapes, ANSI-C strings, brace expansion, constant
variables and parameter expansions, command substitutions whose output is known.

``Expander`` is the word half of the walker (``walk.Walker`` mixes it in): what cannot be resolved
statically keeps its text and is marked dynamic. The module-level helpers are pure functions.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser import cd_prefix, parameters, runs
from vectimus.analyser.context import MAX_WORDS, TRUSTED_ENV, Analysis, Cmd, Input, Scope, Word

REDIRECT_TYPES = ("file_redirect", "heredoc_redirect", "herestring_redirect")
PLAIN_TYPES = frozenset(("word", "number", "raw_string", "ansi_c_string"))  # words whose value is their text's

# Unquoted brace characters are marked while a word is assembled, so quoted ones never expand.
OPEN, COMMA, CLOSE = "\ue000", "\ue001", "\ue002"
_EVERY_ELEMENT = re.compile(r'"\$\{(\w+)\[@\]\}"')
SPLIT = frozenset(("simple_expansion", "expansion", "command_substitution"))  # unquoted, their values split
_MARKS = str.maketrans({"{": OPEN, ",": COMMA, "}": CLOSE})
_UNMARK = str.maketrans({OPEN: "{", COMMA: ",", CLOSE: "}"})

_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_ANSI = r"(?s)\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)"  # compiled when used


def _unescape(text: str, escapable: str | None) -> str:
    """Remove backslashes before any character (``escapable`` None) or those in ``escapable``;
    a backslash-newline (line continuation) disappears entirely."""
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and (escapable is None or text[i + 1] in escapable):
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def unescape_unquoted(text: str) -> str:
    """An unquoted word's text after backslash removal (``\\rm`` -> ``rm``, line continuations)."""
    return _unescape(text, None)


def unescape_double(text: str) -> str:
    """Text inside double quotes: only ``\\$ \\` \\" \\\\`` and line continuations are escapes."""
    return _unescape(text, '$`"\\\n')


def ansi_c(body: str) -> str:
    """Decode the inside of ``$'…'`` (``\\x72\\x6d`` -> ``rm``)."""
    def one(m: re.Match) -> str:
        esc = m.group(1)
        head = esc[0]
        try:
            if head in "xuU" and len(esc) > 1:
                return chr(int(esc[1:], 16))
            if head in "01234567":
                return chr(int(esc, 8) & 0xFF)
        except (ValueError, OverflowError):
            return ""
        if head == "c" and len(esc) == 2:
            return chr(ord(esc[1]) & 0x1F)
        return _ANSI_SIMPLE.get(esc, "\\" + esc)
    return re.sub(_ANSI, one, body)


def mark_braces(text: str) -> str:
    """Mark unquoted brace characters so that only they take part in brace expansion."""
    return text.translate(_MARKS) if ("{" in text or "}" in text or "," in text) else text


def unmark(text: str) -> str:
    """Undo ``mark_braces`` for characters that did not expand."""
    return text.translate(_UNMARK)


def expand_braces(text: str) -> list[str] | None:
    """Brace-expand marked text (``/{etc,home}`` -> ``/etc``, ``/home``); None past MAX_WORDS results."""
    if OPEN not in text:
        return [unmark(text)]
    results: list[str] = []
    pending = [text]
    while pending:
        item = pending.pop()
        split = _first_group(item)
        if split is None:
            results.append(unmark(item))
        else:
            head, options, tail = split
            pending.extend(head + opt + tail for opt in reversed(options))
        if len(results) + len(pending) > MAX_WORDS:
            return None
    return results


def _first_group(text: str) -> tuple[str, list[str], str] | None:
    """The first ``{a,b}`` group with a top-level comma, as (head, options, tail)."""
    start = 0
    while True:
        open_at = text.find(OPEN, start)
        if open_at < 0:
            return None
        depth, last = 0, open_at + 1
        parts: list[str] = []
        for i in range(open_at + 1, len(text)):
            ch = text[i]
            if ch == OPEN:
                depth += 1
            elif ch == CLOSE:
                if depth == 0:
                    if parts:
                        parts.append(text[last:i])
                        return text[:open_at], parts, text[i + 1:]
                    break
                depth -= 1
            elif ch == COMMA and depth == 0:
                parts.append(text[last:i])
                last = i + 1
        start = open_at + 1


class Expander:
    """Evaluates the words of one parsed shell text (mixed into ``walk.Walker``).

    Needs from its host: ``an`` (the Analysis), ``text(node)``, ``statement(node, scope, stdin)``,
    and ``ran`` / ``last_value`` (how many simple commands ran, what the last one printed).
    """

    an: Analysis
    data: bytes              # the shell text being walked
    ran: int
    last_value: str | None
    piped: bool

    def text(self, node) -> str:
        """The source text of ``node`` (the host's)."""
        raise NotImplementedError

    def statement(self, node, scope: Scope, stdin: Input, redirs: tuple = (), raw: str = "") -> None:
        """Walk one statement (the host's)."""
        raise NotImplementedError

    def redirect(self, node, cmd: Cmd) -> Input | None:
        """Record what one redirect reads or writes; the stdin it gives (the host's)."""
        raise NotImplementedError

    def parts(self, node, scope: Scope, redirs: tuple) -> tuple[list, list[Word], list, int | None]:
        """A simple command's assignments, words and redirects (after ``redirs``), and how many word
        nodes were evaluated when every word is plain (``PLAIN_TYPES``; None otherwise)."""
        assignments: list = []
        words: list[Word] = []
        redirects, plain = list(redirs), 0
        field_name = node.field_name_for_child
        for i, child in enumerate(node.children):
            kind = child.type
            if kind == "variable_assignment" or kind in REDIRECT_TYPES:
                (assignments if kind == "variable_assignment" else redirects).append(child)
                plain = -1
            else:
                field = field_name(i)
                if field == "argument":
                    words += self.words(child, scope)
                elif field == "name":
                    inner = child.named_children
                    child = inner[0] if inner else child
                    words += self.words(child, scope)
                else:
                    continue
                if plain >= 0:
                    plain = plain + 1 if child.type in PLAIN_TYPES else -1
        return assignments, words, redirects, plain if plain >= 0 else None

    def words(self, node, scope: Scope) -> list[Word]:
        """The words one argument node becomes (brace expansion, or the field splitting of an
        unquoted expansion, may make several; an unquoted empty one, none)."""
        kind = node.type
        if kind == "string" and node.named_child_count == 1 and self.text(node).endswith(('@"', '@}"', '@]}"')):
            quoted = self.text(node)
            if scope.positional is not None and quoted in ('"$@"', '"${@}"'):
                return list(scope.positional[1:])  # each parameter one word
            every = _EVERY_ELEMENT.fullmatch(quoted)
            kept = scope.vars.get(every.group(1) + "[@]") if every else None
            if kept is not None and not kept.dynamic:
                return parameters.elements(kept)  # "${cmd[@]}": each element one word
        if kind in SPLIT or (kind == "concatenation" and any(c.type in SPLIT for c in node.children)):
            fields = self.fields(node, scope)
            if len(fields) != 1:
                return fields
            word = fields[0]
        else:
            word = self.word(node, scope)
        if OPEN not in word.text and COMMA not in word.text and CLOSE not in word.text:
            return [word]  # nothing marked: expand_braces would give the text back as it is
        texts = expand_braces(word.text)
        if texts is None:  # more words than are followed: any of them may be anything
            return [Word(unmark(word.text), True, word.glob, word.secret)]
        if len(texts) == 1:
            return [Word(texts[0], word.dynamic, word.glob, word.secret)]
        return [Word(t, word.dynamic, word.glob, word.secret) for t in texts]

    def fields(self, node, scope: Scope) -> list[Word]:
        """The words an argument with unquoted expansions becomes after field splitting (``C="rm
        -rf ~"; $C`` runs ``rm``; an empty one, none). Split on an unknown ``IFS``, it is one
        unknown word."""
        ifs_word = self.lookup("IFS", scope)
        ifs = " \t\n" if ifs_word is None else unmark(ifs_word.text)
        if ifs_word is not None and ifs_word.dynamic:
            word = self.word(node, scope)
            return [Word(word.text, True, word.glob, word.secret)]
        out: list[Word] = []
        text, dynamic, glob, secret, started, split = "", False, False, False, False, False
        for child in ([node] if node.type in SPLIT else node.children):
            value = self.word(child, scope)
            if child.type not in SPLIT or value.dynamic or not ifs:
                text += value.text
                dynamic, glob, secret = dynamic or value.dynamic, glob or value.glob, secret or value.secret
                started = True
                continue
            pieces = _split_fields(value.text, ifs)
            secret = secret or value.secret
            if len(pieces) == 1 and pieces[0]:
                text += pieces[0]
                glob = glob or _has_glob(pieces[0])
                started = True
                continue
            split = True
            for i, piece in enumerate(pieces):
                if i:  # a separator ends the field before it
                    if started:
                        out.append(Word(text, dynamic, glob, secret))
                    text, dynamic, glob, started = "", False, False, False
                if piece:
                    text, glob, started = text + piece, glob or _has_glob(piece), True
        if started:
            out.append(Word(text, dynamic, glob, secret))
        if not split:
            return out
        return [w._replace(text=unmark(w.text)) if OPEN in w.text or COMMA in w.text or CLOSE in w.text else w
                for w in out]

    def word(self, node, scope: Scope) -> Word:
        """One word's value; unknown parts keep their text and make it dynamic."""
        self.an.tick()
        kind = node.type
        text = self.text(node)
        if kind == "word":  # the most common word (unescape_unquoted inline, only when it has work to do)
            value = _unescape(text, None) if "\\" in text else text
            return Word(mark_braces(value), False, "*" in value or "?" in value or "[" in value)  # a glob
        if kind == "raw_string":
            return Word(text[1:-1])
        if kind == "ansi_c_string":  # an argument is a C string: it ends at a NUL (``$'r\\0m'`` is ``r``)
            return Word(ansi_c(text[2:-1]).split("\x00", 1)[0])
        if kind in ("string", "translated_string"):
            return self.joined(node, scope, quoted=True)
        if kind == "concatenation":
            return self.joined(node, scope, quoted=False)
        if kind == "simple_expansion":
            name = text[1:]
            return self.lookup(name, scope) or Word(text, dynamic=True)
        if kind == "expansion":
            return self.expansion(node, scope)
        if kind == "command_substitution":
            return self.substitution(node, scope)
        if kind == "process_substitution":
            inner = scope.child()
            for child in node.named_children:
                self.statement(child, inner, Input("pipe") if text.startswith(">") else Input())
            return Word("/dev/fd/63", dynamic=True)
        if kind in ("arithmetic_expansion", "brace_expression"):
            self.substitutions(node, scope)
            return Word(text, dynamic=kind == "arithmetic_expansion")
        return Word(text)

    def joined(self, node, scope: Scope, quoted: bool) -> Word:
        """A double-quoted string or a concatenation: its parts' values end to end."""
        parts: list[str] = []
        dynamic = glob = secret = False
        pos = None
        for child in node.children:
            if quoted and pos is not None and child.start_byte > pos:
                parts.append(unescape_double(self.data[pos:child.start_byte].decode("utf-8", "replace")))
            pos = child.end_byte
            if not child.is_named:
                if child.type not in ('"', '$"'):
                    parts.append(self.text(child))
            elif quoted and child.type == "string_content":
                parts.append(unescape_double(self.text(child)))
            else:
                w = self.word(child, scope)
                parts.append(w.text)
                dynamic |= w.dynamic
                glob |= w.glob
                secret |= w.secret
        return Word("".join(parts), dynamic, glob and not quoted, secret)

    def lookup(self, name: str, scope: Scope) -> Word | None:
        """A variable's constant value, or None when it is not known here."""
        if name in scope.vars:
            return scope.vars[name]
        if name == "PWD":
            return Word(scope.places.cwd, dynamic=scope.cwd_dynamic)
        if name == "HOME":
            return Word(self.an.env.get("HOME") or scope.places.home)
        if name in TRUSTED_ENV and self.an.env.get(name):
            return Word(self.an.env[name])
        if name in ("@", "*") and scope.positional is not None:  # joined; unquoted, split again
            rest = scope.positional[1:]
            return Word(" ".join(w.text for w in rest), any(w.dynamic for w in rest), secret=any(w.secret for w in rest))
        if name.isdigit() and scope.positional is not None:
            index = int(name)
            return scope.positional[index] if index < len(scope.positional) else Word("")
        return None

    def expansion(self, node, scope: Scope) -> Word:
        text = self.text(node)
        children = node.children
        names = [c for c in children if c.type in ("variable_name", "special_variable_name")]
        subscript = next((c for c in children if c.type == "subscript"), None)
        if subscript is not None:
            return self.element(node, subscript, scope)
        if names and len(children) == 4 and children[1].type in ("#", "!"):
            value = self.lookup(self.text(names[0]), scope)
            if value is not None and not value.dynamic:
                if children[1].type == "#":
                    return Word(str(len(value.text)))  # ${#c}
                if value.text.isidentifier():  # ${!n}: the variable n names
                    return self.lookup(value.text, scope) or Word(text, dynamic=True)
        if not names or len(children) < 3 or children[1].type in ("#", "!") or "[" in text:
            self.substitutions(node, scope)
            return Word(text, dynamic=True)
        name = self.text(names[0])
        value = self.lookup(name, scope)
        index = children.index(names[0])
        rest = children[index + 1:-1]
        if not rest:
            return value or Word(text, dynamic=True)
        op = rest[0].type
        operand_parts = [self.word(c, scope) for c in rest[1:]]
        operand = Word("".join(p.text for p in operand_parts), any(p.dynamic for p in operand_parts),
                       any(p.glob for p in operand_parts), any(p.secret for p in operand_parts))
        empty = value is None or (not value.text and not value.dynamic)
        if op in (":-", "-", ":=", "="):
            chosen = operand if (value is None or (op.startswith(":") and empty)) else value
            if op.endswith("=") and value is None:
                scope.vars[name] = operand
            return chosen
        if op in (":+", "+"):
            if value is None:
                return Word("")
            return operand if not value.dynamic else Word(text, dynamic=True)
        if op in (":?", "?"):
            return value or Word(text, dynamic=True)
        if value is not None and not value.dynamic and not operand.dynamic:
            operands = [p.text if c.is_named else c.type for c, p in zip(rest[1:], operand_parts)]
            result = parameters.operate(value.text, op, operands)
            if result is not None:
                return Word(result, secret=value.secret)
        return Word(text, dynamic=True)

    def element(self, node, subscript, scope: Scope) -> Word:
        """``${cmd[1]}``, ``${cmd[@]}`` (joined), ``${#cmd[@]}`` of an array whose elements are known."""
        text = self.text(node)
        parts = subscript.named_children
        kept = scope.vars.get(self.text(parts[0]) + "[@]") if parts else None
        if kept is None or kept.dynamic or len(parts) < 2 or node.children[1].type == "!":
            self.substitutions(node, scope)
            return Word(text, dynamic=True)
        items = parameters.elements(kept)
        index = self.word(parts[1], scope)
        if node.children[1].type == "#":
            return Word(str(len(items))) if index.text in ("@", "*") else Word(text, dynamic=True)
        if index.text in ("@", "*"):
            return Word(" ".join(w.text for w in items), secret=kept.secret)
        if index.text.isdigit() and not index.dynamic:
            return items[int(index.text)] if int(index.text) < len(items) else Word("")
        return Word(text, dynamic=True)

    def substitution(self, node, scope: Scope) -> Word:
        """Run ``$(…)`` / backticks: their actions count; the value is known when one command, or
        the last stage of one pipeline (``$(echo … | base64 -d)``), prints a constant."""
        before = self.an.secret_reads
        if node.named_child_count == 1 and node.named_children[0].type == "file_redirect":
            return self.file_substitution(node, scope, before)
        ran = self.ran
        start = len(self.an.actions)
        inner = scope.child()
        piped, self.piped = self.piped, True  # its output becomes a word, not the agent's to read
        for child in node.named_children:
            self.statement(child, inner, Input())
        self.piped = piped
        secret = self.an.secret_reads > before
        names = self.an.memo.pop("listed", "")  # `cat $(find ~/.aws -type f)`: it prints credential files' names
        statements = [c for c in node.named_children if c.type != "comment"]
        single = self.ran == ran + 1 or (len(statements) == 1 and statements[0].type == "pipeline") \
            or cd_prefix.only_cd_before(self.text, statements, self.an.env)  # $(cd "$d" && pwd)
        if single and self.last_value is not None:
            return Word(self.last_value.strip("\n"), secret=secret)
        if names:  # the value is a list of names, one of them a credential file (or a directory of some)
            return Word(names, secret=secret)
        if any(a.kind == "network" for a in self.an.actions[start:]):  # what a download printed
            self.an.memo.setdefault("downloaded", set()).add(self.text(node))
        return Word(self.text(node), dynamic=True, secret=secret)

    def file_substitution(self, node, scope: Scope, before: int) -> Word:
        """``$(< file)``: bash reads the file itself, as ``$(cat file)`` would; a small file's text is
        the value, a secret one's stays unknown and carries the secret on."""
        cmd = Cmd(words=(Word("cat"),), raw=self.text(node), scope=scope, stdout="pipe")
        stdin = self.redirect(node.named_children[0], cmd)
        secret = self.an.secret_reads > before or (stdin is not None and stdin.secret)
        text = None if secret or stdin is None else runs.input_text(self.an, stdin, scope)
        return Word(text.strip("\n"), secret=secret) if text is not None else Word(self.text(node), dynamic=True,
                                                                                    secret=secret)

    def substitutions(self, node, scope: Scope) -> None:
        """Run the command substitutions anywhere below ``node`` (test expressions, arithmetic)."""
        for child in node.named_children:
            self.an.tick()
            if child.type in ("command_substitution", "process_substitution"):
                self.word(child, scope)
            elif child.named_child_count:
                self.substitutions(child, scope)




def _split_fields(text: str, ifs: str) -> list[str]:
    """``text`` split as bash splits an unquoted expansion's value on ``ifs``: "" before the first
    piece when it starts with a separator, "" after the last when it ends with one."""
    white = "".join(re.escape(c) for c in ifs if c in " \t\n")
    other = "".join(re.escape(c) for c in ifs if c not in " \t\n")
    if not other:
        return re.split(f"[{white}]+", text)
    if not white:
        return re.split(f"[{other}]", text)
    return re.split(f"[{white}]*[{other}][{white}]*|[{white}]+", text)


def _has_glob(text: str) -> bool:
    return "*" in text or "?" in text or "[" in text
