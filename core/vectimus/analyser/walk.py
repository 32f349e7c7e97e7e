"""Walk a bash syntax tree in execution order and hand each simple command on.

The walker follows ``cd`` and assignments through a command list, feeds pipes, heredocs and
redirects to the commands they belong to and records redirect targets; its words are evaluated by
``expand.Expander``. What a command itself does is ``Analysis.dispatch``'s business.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser import flow, parameters, pathnames, posix_for, printers, redirects, runs, writes
from vectimus.analyser.context import (
    MAX_COMMAND_BYTES, MAX_DEPTH, MAX_NESTING, MAX_NODES, Analysis, Cmd, Input, Scope, Unanalysable, Unparsable, Word,
)
from vectimus.analyser.expand import REDIRECT_TYPES, Expander
from vectimus.analyser.parse import MAX_TREE_BYTES, MAX_TREES, astral_free, parse

LOOP_VALUES = 16  # a for loop over more literal values than this runs once with an unknown variable


def analyse_text(text: str, an: Analysis, scope: Scope, via: tuple[str, ...] = (), depth: int = 0,
                 stdin: Input = Input()) -> None:
    """Analyse shell text, recording every action it would perform into ``an``."""
    if depth > MAX_DEPTH:
        raise Unanalysable(f"shell code nested more than {MAX_DEPTH} levels deep")
    text, data, parsed = _PREPARED.get(text) or _prepared(text)
    if parsed is None:  # only blanks
        return
    root, notes = parse(parsed, an)
    if root.has_error and parsed is data and (posix := posix_for.rewritten(root, data)) is not None:
        return analyse_text(posix, an, scope, via, depth, stdin)
    if parsed is not data:  # the tree is shared with texts that differ in their 4-byte characters
        notes = {}
    before = len(an.actions)
    error = root.has_error
    if error:
        an.syntax_error = True
    walker = Walker(an, data, via, depth, notes)
    walker.block(root, scope, stdin)
    if walker.defined or an.memo.get("traps"):
        flow.uncalled(walker)
    if error:
        _fallback(text, an, scope, via, depth)
        if len(an.actions) == before:
            raise Unparsable("shell syntax that cannot be parsed: " + _first_line(text))


def _prepared(raw: str) -> tuple[str, bytes, bytes | None]:
    """The text as bash reads it, its bytes and the bytes to parse (None: only blanks); a short
    text's are kept in ``_PREPARED`` (a make run analyses the same recipe lines each time)."""
    text = _as_bash_reads(raw)
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_COMMAND_BYTES:
        raise Unanalysable(f"shell command longer than {MAX_COMMAND_BYTES} bytes")
    found = text, data, astral_free(data) if text.strip() else None
    if len(data) <= MAX_TREE_BYTES:
        if len(_PREPARED) >= MAX_TREES:
            _PREPARED.clear()
        _PREPARED[raw] = found
    return found


_PREPARED: dict[str, tuple[str, bytes, bytes | None]] = {}


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _as_bash_reads(text: str) -> str:
    """The text as bash reads it: NUL bytes dropped (``r\\0m`` runs ``rm``); other control bytes
    (which bash keeps inside words, and which could hide a program name from a reader) refused."""
    text = text.replace("\x00", "")
    bad = _CONTROL.search(text)
    if bad:
        raise Unanalysable(f"shell command contains the control character U+{ord(bad.group()):04X}")
    return text


MAX_PIECES = 200
_ROUGH_SEPARATORS = re.compile(r"\n|;|&&|\|\||\||&")


def _fallback(text: str, an: Analysis, scope: Scope, via: tuple[str, ...], depth: int) -> None:
    """Text the grammar could not parse: also analyse each piece between separators on its own.

    tree-sitter can swallow a command into an error node (``cat <<EOF; rm a``); splitting
    without regard to quoting finds it again, at the price of data read as commands. Every action
    of such a call is dynamic already (``Analysis.syntax_error``), and these carry ``unparsed``.
    """
    pieces = [p for p in _ROUGH_SEPARATORS.split(text) if p.strip()]
    if len(pieces) < 2 or depth >= MAX_DEPTH:
        return
    if len(pieces) > MAX_PIECES:
        raise Unanalysable(f"shell syntax that cannot be parsed, in more than {MAX_PIECES} pieces")
    for piece in pieces:
        try:
            analyse_text(piece, an, scope.child(), (*via, "unparsed"), depth + 1)
        except Unparsable:
            continue


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:80] + ("…" if len(line) > 80 else "")


class Walker(Expander):
    """Visits one parsed shell text."""

    def __init__(self, an: Analysis, data: bytes, via: tuple[str, ...], depth: int, notes: dict | None = None) -> None:
        self.an = an
        self.data = data
        # (start, end) of a command of plain words -> (its words, the nodes they cost): kept with the tree
        self.literal: dict[tuple[int, int], tuple[tuple[Word, ...], int]] = {} if notes is None else notes
        self.via = via
        self.depth = depth
        self.nesting = 0
        self.last_value: str | None = None  # what the last simple command printed, when constant
        self.after: list = []               # statements a heredoc line continues with
        self.ran = 0                        # simple commands run, to know when last_value holds
        self.piped = False                  # the statement being walked writes into a pipe
        self.choosing = False               # a statement is being walked once per value of a choice
        self.defined: list = []             # (body, scope) of each function this text defines
        self.bound: dict[int, tuple] = {}   # start of a list's last command -> the redirects after the list

    def text(self, node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # -- statements -------------------------------------------------------------------------

    def block(self, node, scope: Scope, stdin: Input) -> None:
        for child in node.named_children:
            self.statement(child, scope, stdin)

    def sequence(self, nodes, scope: Scope, stdin: Input) -> None:
        for node in nodes:
            self.statement(node, scope, stdin)

    def statement(self, node, scope: Scope, stdin: Input, redirs: tuple = (), raw: str = "") -> None:
        self.an.nodes += 1  # ``an.tick()``, inlined: this runs for every statement
        if self.an.nodes > MAX_NODES:
            self.an.tick(0)
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise Unanalysable("shell code nested too deeply")
        try:
            if scope.choices and not self.choosing and node.type in flow.LEAVES:
                names = flow.used(self.text(node), scope.choices)
                if names:  # a variable a conditional set several ways: each value in turn
                    self.choosing = True
                    try:
                        flow.each(scope, names, lambda s: self._statement(node, s, stdin, redirs, raw))
                    finally:
                        self.choosing = False
                    return
            self._statement(node, scope, stdin, redirs, raw)
        finally:
            self.nesting -= 1

    def _statement(self, node, scope, stdin, redirs, raw) -> None:
        kind = node.type
        if kind == "command":
            self.command(node, scope, stdin, redirs or self.bound.get(node.start_byte, ()), raw or self.text(node))
        elif kind == "redirected_statement":
            self.redirected(node, scope, stdin)
        elif kind == "pipeline":
            self.pipeline(node, scope, stdin)
        elif kind == "subshell":
            self.block(node, scope.child(), stdin)
        elif kind == "if_statement":
            flow.if_statement(self, node, scope, stdin)
        elif kind == "list":
            flow.and_or(self, node, scope, stdin)
        elif kind in ("while_statement", "until_statement"):
            for i, child in enumerate(node.children):
                if node.field_name_for_child(i) == "condition":
                    self.statement(child, scope, stdin)
            body = node.child_by_field_name("body")
            flow.branch(self, scope, [[body]] if body is not None else [], stdin, skip=True)
        elif kind == "variable_assignment":
            self.assign(node, scope)
        elif kind == "declaration_command":
            self.declaration(node, scope)
        elif kind == "unset_command":
            for child in node.named_children:
                scope.vars.pop(self.text(child), None)
        elif kind == "for_statement":
            self.for_loop(node, scope, stdin)
        elif kind == "function_definition":
            body, name = node.child_by_field_name("body"), node.child_by_field_name("name")
            if name is not None:  # its body is walked where it is called (``flow.called``)
                scope.functions[self.text(name)] = (self, body) if body is not None else None
            if body is not None:
                self.defined.append((body, scope))
        elif kind == "case_statement":
            flow.case(self, node, scope, stdin)
        elif kind in ("comment", "heredoc_body", "heredoc_end", "heredoc_start"):
            return
        elif kind in _WORD_TYPES:
            self.word(node, scope)
        elif kind in ("test_command", "arithmetic_expansion", "binary_expression",
                                             "unary_expression", "parenthesized_expression",
                                             "compound_assignment"):
            self.substitutions(node, scope)
        else:
            # { …; }, do groups, negation, ERROR nodes …
            self.block(node, scope, stdin)

    def redirected(self, node, scope: Scope, stdin: Input) -> None:
        body = node.child_by_field_name("body")
        redirs = tuple(c for c in node.named_children if c.type in REDIRECT_TYPES)
        if body is not None and body.type == "command":
            self.statement(body, scope, stdin, redirs, self.text(node))
            return
        last = body
        while last is not None and last.type == "list" and last.named_child_count:
            last = last.named_children[-1]
        if body is not None and body.type == "list" and last is not None and last.type == "command":
            # tree-sitter-bash hangs the redirect of `cd d && bash <<EOF` on the whole list; bash
            # gives it to the last command, after the earlier ones (and their cd) have run.
            self.bound[last.start_byte] = redirs
            self.statement(body, scope, stdin)
            return
        if body is not None and body.type == "list":
            self.statement(body, scope, stdin)
            cmd = Cmd(words=(), raw=self.text(node), scope=scope, via=self.via, stdin=stdin, depth=self.depth)
            start = len(self.an.actions)
            self.apply_redirects(redirs, cmd)
            if self.last_value is not None:  # what the last command printed goes into the file
                self.wrote(cmd, start)
            return
        cmd = Cmd(words=(), raw=self.text(node), scope=scope, via=self.via, stdin=stdin, depth=self.depth)
        stdin = self.apply_redirects(redirs, cmd) or stdin
        if body is not None:
            self.statement(body, scope, stdin)
        self.continuation(scope, stdin.secret)

    def pipeline(self, node, scope: Scope, stdin: Input) -> None:
        stages = [c for c in node.named_children if c.type != "comment"]
        secret = stdin.secret
        text = None
        names = ""
        for i, stage in enumerate(stages):
            before = self.an.secret_reads
            ran = self.ran
            feed = stdin if i == 0 else Input("pipe", text=text, secret=secret, listed=names)
            piped, self.piped = self.piped, i < len(stages) - 1 or self.piped
            self.an.memo["consumer"] = self.text(stages[i + 1]) if i + 1 < len(stages) else ""  # (env_filter)
            self.statement(stage, scope.child() if len(stages) > 1 else scope, feed)
            self.piped = piped
            if self.an.secret_reads > before:
                secret = True
            # `echo 'rm -rf /' | sh`: what a constant stage prints is known to the next one.
            text = self.last_value if self.ran == ran + 1 else None
            names = self.an.memo.pop("listed", "")  # `find . -name .env | xargs cat`

    def for_loop(self, node, scope: Scope, stdin: Input) -> None:
        var = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        values: list[Word] = []
        has_in = False
        for i, child in enumerate(node.children):
            if node.field_name_for_child(i) == "value":
                has_in = True
                values.extend(self.words(child, scope))
        if body is None:
            return
        name = self.text(var) if var is not None else ""
        expanded = None
        if has_in and any(w.glob for w in values):  # `for f in tests/*.sh`: the files it matches (none: as written)
            expanded = pathnames.expanded(self.an, values, scope, LOOP_VALUES)
            values = expanded or values
        static = has_in and len(values) <= LOOP_VALUES and not any(w.dynamic or w.glob and not expanded for w in values)
        if static and name:
            for value in values:
                scope.vars[name] = value
                self.statement(body, scope, stdin)
            return
        if name:
            scope.vars[name] = Word("$" + name, dynamic=True)
        flow.branch(self, scope, [[body]], stdin, skip=True)  # it may not run at all

    def assign(self, node, scope: Scope, export: bool = False) -> None:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        value = Word("")
        if value_node is not None:
            if value_node.type == "array":  # `cmd=(rm -rf ~)`: its elements, and the first as its value
                items = [w for child in value_node.named_children for w in self.words(child, scope)]
                name = self.text(name_node) if name_node is not None else ""
                if self.text(node)[len(name):].startswith("+=") and name + "[@]" in scope.vars:
                    items = [*parameters.elements(scope.vars[name + "[@]"]), *items]
                scope.vars[name + "[@]"] = parameters.array(items)
                scope.vars[name] = items[0] if items else Word("")
                return
            else:
                value = self.word(value_node, scope)
        if name_node is None:
            return
        name = self.text(name_node)
        if name_node.type != "variable_name":  # a[1]=x
            return
        if self.text(node)[len(name):].startswith("+="):
            old = scope.vars.get(name)
            value = Word((old.text if old else "") + value.text, dynamic=value.dynamic or old is None,
                         secret=value.secret or bool(old and old.secret))
        scope.vars[name] = value

    def declaration(self, node, scope: Scope) -> None:
        keyword = node.children[0].type if node.children else ""
        assigned = False
        options = []
        for child in node.named_children:
            if child.type == "variable_assignment":
                self.assign(child, scope)
                assigned = True
            elif child.type in ("word", "variable_name"):  # `export NAME` names a variable: no dump
                options.append(self.text(child))
        names = [o for o in options if not o.startswith("-")]
        if keyword == "export" or any(o.startswith("-") and "x" in o for o in options):
            scope.exported.update(names, (self.text(c.child_by_field_name("name")) for c in node.named_children
                                          if c.type == "variable_assignment" and c.child_by_field_name("name")))
        if not assigned and not names and keyword in ("export", "declare", "typeset", "readonly"):
            self.an.dispatch(Cmd(words=(Word(keyword),), raw=self.text(node), scope=scope, via=self.via,
                                 depth=self.depth))

    # -- simple commands --------------------------------------------------------------------

    def command(self, node, scope: Scope, stdin: Input, redirs: tuple, raw: str) -> None:
        key = (node.start_byte, node.end_byte)
        known = self.literal.get(key)
        if known is None:
            assignments, words, redirects, plain = self.parts(node, scope, redirs)
            if plain is not None:
                self.literal[key] = (tuple(words), plain)
        else:  # the same plain words as the last time this text was walked
            self.an.tick(known[1])
            assignments, words, redirects = [], list(known[0]), list(redirs)
        env: tuple[tuple[str, Word], ...] = ()
        if not words:
            for a in assignments:
                self.assign(a, scope)
        elif assignments:  # `A=1 cmd`: they are the command's environment, not the shell's
            env_scope = scope.child()
            for a in assignments:
                self.assign(a, env_scope)
            env = tuple((k, v) for k, v in env_scope.vars.items() if scope.vars.get(k) is not v)
        redirected = bool(redirects) and any(
            r.type == "file_redirect" and not self.text(r).lstrip("0123456789").startswith(("<", ">&"))
            and not self.text(r).startswith("2") for r in redirects)
        # words, raw, scope, via, stdin, depth, program_path, stdout, env: positionally (every command)
        cmd = Cmd(tuple(words), raw.strip(), scope, self.via, stdin, self.depth, "",
                  "pipe" if self.piped else "file" if redirected else "", env)
        start = len(self.an.actions)
        new_stdin = self.apply_redirects(redirects, cmd) if redirects else None
        if new_stdin is not None:
            cmd = cmd.with_words(words, stdin=new_stdin)
        if len(words) > 1 and words[0].text in ("set", "printf", "read"):
            parameters.builtin(words, runs.input_text(self.an, cmd.stdin, scope), scope)
        self.ran += 1
        self.last_value = printers.printed(self.an, words, scope, cmd.stdin, self.piped or redirected)
        if self.last_value is not None and len(self.an.actions) > start:
            self.wrote(cmd, start)
        if words:
            middle = len(self.an.actions)
            before = self.an.secret_reads
            self.an.dispatch(cmd)
            if scope.functions.get(words[0].text):
                flow.called(self, scope, words, stdin)
            if middle > start and len(self.an.actions) > middle and self.an.actions[middle].kind == "exec":
                self.an.actions.insert(start, self.an.actions.pop(middle))  # exec before its redirects
            self.continuation(scope, self.an.secret_reads > before or cmd.stdin.secret)

    def wrote(self, cmd: Cmd, start: int) -> None:
        """The text a command prints into the files its redirects write (``cat > x.sh <<EOF``)."""
        for action in self.an.actions[start:]:
            if action.kind == "file_write" and not action.dynamic and not action.deferred:
                text = self.last_value or ""
                if "a" in action.flags:  # >> appends to what is there
                    current, _ = runs.read(self.an, action.target.path)
                    text = (current or "") + text
                writes.written(self.an, cmd, action.target.path, text)

    def continuation(self, scope: Scope, secret: bool) -> None:
        """Run what followed a heredoc on its line: a pipe gets this command's output."""
        if not self.after:
            return
        pending, self.after = self.after, []
        for node in pending:
            if node.type == "pipeline" and self.text(node).lstrip().startswith("|"):
                feed = Input("pipe", text=self.last_value, secret=secret)
                for child in node.named_children:
                    self.statement(child, scope.child(), feed)
            else:
                self.statement(node, scope, Input())

    def apply_redirects(self, redirs, cmd: Cmd) -> Input | None:
        """Record what the redirects read and write; return the stdin they give the command."""
        stdin = None
        for node in redirs:
            got = self.redirect(node, cmd)
            if got is not None:
                stdin = got
        return stdin

    def redirect(self, node, cmd: Cmd) -> Input | None:
        if node.type == "herestring_redirect":
            parts = [self.word(c, cmd.scope) for c in node.named_children]
            value = " ".join(p.text for p in parts)
            return Input("text", value, secret=any(p.secret for p in parts))
        if node.type == "heredoc_redirect":
            return self.heredoc(node, cmd)
        op = ""
        dest = None
        for i, child in enumerate(node.children):
            if not child.is_named:
                op = op or child.type
            elif node.field_name_for_child(i) == "destination" and dest is None:
                dest = child
        if dest is None:
            return None
        if op in (">&", "<&") and dest.type == "number":
            return None
        word = self.word(dest, cmd.scope)  # `> >(tee -a log)`: a pipe into a command, judged where it is expanded
        return None if dest.type == "process_substitution" and op in redirects.WRITE_OPS else redirects.file_redirect(self.an, cmd, op, word)

    def heredoc(self, node, cmd: Cmd) -> Input:
        text_parts: list[str] = []
        strip_tabs = False
        for child in node.children:
            if child.type == "<<-":
                strip_tabs = True
            elif child.type == "heredoc_body":
                text_parts.append(self.text(child))
                self.substitutions(child, cmd.scope)
            elif child.type == "file_redirect":
                self.redirect(child, cmd)
            elif child.is_named and child.type not in ("heredoc_start", "heredoc_end"):
                # tree-sitter-bash nests the rest of the line in the heredoc redirect:
                # `cat <<EOF | sh`, `cat <<EOF && rm -rf /` — it runs after the command.
                self.after.append(child)
        body = "".join(text_parts)
        if strip_tabs:
            body = "\n".join(line.lstrip("\t") for line in body.split("\n"))
        return Input("text", body)

_WORD_TYPES = ("word", "string", "raw_string", "concatenation", "simple_expansion", "expansion",
               "command_substitution", "process_substitution", "number", "ansi_c_string")
