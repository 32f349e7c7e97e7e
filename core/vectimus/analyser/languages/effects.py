"""What evaluated code does, recorded as the shell analyser's actions.

``Effects`` is the half of a code analyser (``python``, ``javascript``) that touches the analysis:
files read, written and deleted; shell strings and argv lists it runs (through ``Analysis.shell``
and ``Analysis.dispatch``, so they are analysed as commands, recursively); code it evaluates
(``Analysis.code``); network destinations; the environment dumped; a socket wired to the standard
streams of a program it starts (a reverse shell). Values come in as ``values.Val``.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import itertools

from vectimus.analyser.context import MAX_WORDS, Analysis, Cmd, Input, Word, basename
from vectimus.analyser.facts import net
from vectimus.analyser.languages import record
from vectimus.analyser.languages.values import (
    ALTS, CONST, CRED, ENV, INERT_MARK, SECRET, SHOWN, UNKNOWN_MARK, Val, is_placeholder, options, render,
    taint_of, words,
)
from vectimus.model import Action, ActionKind

ENVIRON = "/proc/self/environ"  # what dumping the environment reads, as a path policies know
SHELLS = ("sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish")


class Effects:
    """Records the effects of code in ``lang`` that ``cmd`` runs."""

    def __init__(self, an: Analysis, cmd: Cmd, lang: str) -> None:
        self.an = an
        self.cmd = cmd
        self.lang = lang
        self.prog = basename(cmd.words[0].text) if cmd.words else lang
        self.wired: Val | None = None   # a socket duplicated onto the standard streams
        self.dumped = False
        self.incomplete: str | None = None
        self.shells: set[tuple[int, str]] = set()  # (socket, program) reverse shells recorded
        self.seen: set[tuple] = set()
        self.secret_paths: set[Word] = set()  # effects recorded already (a helper called many times)
        self.stdin_read_before = 0  # what the code read of its standard input (python files.LINES, PART)

    def first(self, *key) -> bool:
        """True the first time this effect is seen: the same effect is recorded once."""
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    # -- files ------------------------------------------------------------------------------

    def file(self, kind: ActionKind, v: Val, flags: tuple[str, ...] = (), cmd: Cmd | None = None) -> bool:
        """Record ``kind`` on every path ``v`` may be; True when one of them is a secret."""
        secret = False
        cmd = cmd or self.cmd
        if v.kind >= ALTS and is_placeholder(v):  # (only an alternative or an unknown value may be one)
            return False
        seen, scope = self.seen, cmd.scope
        for word in words(v, path=True):
            key = (kind, word, flags, cmd.via, scope.places.cwd, scope.cwd_dynamic)  # ``first`` inlined
            if key in seen:
                secret |= kind == "file_read" and word in self.secret_paths
                continue
            seen.add(key)
            facts = self.an.file(kind, word, cmd, flags, program=self.prog)
            if facts.is_secret:
                self.secret_paths.add(word)
            secret |= facts.is_secret
        return secret

    def wrote(self, target: Val, data: Val) -> None:
        """A whole file written with ``data`` (recorded by ``file``): known text at one known path is
        what the file holds, so code the same call runs from it next is read, and judged now when
        something runs it later, as a shell's ``printf … > x.mjs`` is (``writeFileSync('dist/x.mjs', '…')``)."""
        if data.kind != CONST or type(data.value) is not str or self.cmd.scope.cwd_dynamic:
            return
        found = words(target, path=True)
        if len(found) != 1 or found[0].dynamic or found[0].glob:
            return
        path = self.an.target(found[0], self.cmd.scope).path
        if path.startswith("/"):
            from vectimus.analyser import writes  # imported when code writes known text

            writes.written(self.an, self.cmd, path, data.value)

    def link(self, v: Val) -> None:
        """A link made to ``v``: what is written through it reaches ``v``, so a link to a protected
        file (a hard link above all, which no path resolves back) writes it."""
        for word in words(v, path=True):
            facts = self.an.target(word, self.cmd.scope)
            if facts.is_vectimus or facts.is_governance:
                self.an.file("file_write", word, self.cmd, program=self.prog)

    def output(self, *vals: Val) -> None:
        """Data leaves the program (printed, written, sent, passed to a command): a whole
        environment among it is a dump, recorded as a read of /proc/self/environ."""
        if not self.dumped and taint_of(*vals) & ENV:
            self.dumped = True
            self.an.file("file_read", Word(ENVIRON), self.cmd, program=self.prog)

    def shown(self, via: str, *vals: Val) -> None:
        """The program prints ``vals`` where the agent reads them (its standard output or error, not
        redirected): a credential-named variable's text among them is shown to the agent, recorded
        as the shell's ``echo "$GITHUB_TOKEN"`` is (an exec whose secrets say "environment")."""
        self.output(*vals)
        if taint_of(*vals) & SHOWN and not self.cmd.stdout and self.first("shown"):
            record.shown(self.an, self.cmd, f"{self.lang} {via}")

    def chdir(self, v: Val) -> None:
        """The code changes its working directory (``os.chdir``, ``process.chdir``)."""
        self.cmd.scope.chdir(_one_word(v))

    def in_dir(self, cwd: Val | None) -> Cmd | None:
        """The command run in directory ``cwd`` (``subprocess.run(…, cwd=…)``); None for no change."""
        if cwd is None:
            return None
        scope = self.cmd.scope.child()
        scope.chdir(_one_word(cwd))
        return self.cmd._replace(scope=scope)

    # -- running things ---------------------------------------------------------------------

    def shell(self, v: Val, via: str, cmd: Cmd | None = None) -> None:
        """Shell text ``v`` runs (``os.system``, ``execSync``): analysed as shell code."""
        cmd = cmd or self.cmd
        self.output(v)
        self.wiring("sh", cmd)
        for option in options(v)[:MAX_WORDS]:
            if is_placeholder(option):
                continue
            text, dyn = render(option)
            if not self.first("shell", text, via, cmd.via, cmd.scope.places.cwd, bool(taint_of(option))):
                continue
            if dyn and UNKNOWN_MARK in text:
                # data only the run will have, spliced into the command: it may hold any shell
                # syntax (`x; rm -rf ~`), so the command is code nobody can read
                self.dynamic(via, "sh", cmd)
            if dyn:
                text = text.replace(INERT_MARK, UNKNOWN_MARK)
            if not text.replace(UNKNOWN_MARK, "").strip():
                if dyn:  # nothing known of the command at all
                    self.dynamic(via, "sh", cmd)
                continue
            at = len(self.an.actions)
            self.an.shell(Word(text), cmd, via, stdin=Input() if dyn else record.fed(text.split(), Input()))
            self._mark(at, dyn, bool(taint_of(option)))

    def argv(self, items: list[Val], via: str, cmd: Cmd | None = None, wired: Val | None = None) -> None:
        """An argument vector run without a shell (``subprocess.run([...])``, ``spawn``)."""
        cmd = cmd or self.cmd
        self.output(*items)
        if not items or (items[0].kind >= ALTS and is_placeholder(items[0])):
            return
        choices = [words(item) for item in items]
        combos = 1
        for c in choices:
            combos *= max(1, len(c))
        if combos > MAX_WORDS:
            choices = [c[:1] if len(c) == 1 else [Word(c[0].text, True, c[0].glob, any(w.secret for w in c))]
                       for c in choices]
        for argv in itertools.product(*choices):
            if not argv or not (argv[0].text or argv[0].dynamic):
                continue
            if not self.first("argv", argv, via, cmd.via, cmd.scope.places.cwd, id(wired)):
                continue
            self.wiring(basename(argv[0].text), cmd, wired)
            at = len(self.an.actions)
            known = not any(w.dynamic for w in argv)
            self.an.dispatch(cmd.with_words(argv, via=via, stdin=record.fed([w.text for w in argv], cmd.stdin)
                                            if known else cmd.stdin))
            self._mark(at, False, False)

    def code(self, lang: str, v: Val, via: str) -> None:
        """Code in ``lang`` that the code evaluates: analysed when known, dynamic when not."""
        for option in options(v)[:MAX_WORDS]:
            if is_placeholder(option):
                continue
            text, dyn = render(option)
            if dyn:
                self.dynamic(via)
            else:
                self.an.code(lang, Word(text, secret=bool(taint_of(option))), self.cmd, via)

    def dynamic(self, via: str, program: str = "", cmd: Cmd | None = None) -> None:
        """Code runs that cannot be known here (``exec(input())``): a dynamic exec of the
        interpreter (or of ``program``), which the packs treat as code nobody can read."""
        cmd = cmd or self.cmd
        program = program or self.prog
        if not self.first("dynamic", via, program, cmd.via):
            return
        self.an.add(Action(kind="exec", resource=program, program=program, via=(*cmd.via, via),
                           raw=cmd.raw, dynamic=True))

    def give_up(self, reason: str) -> None:
        """The code could not be analysed entirely (too nested, a syntax error): one dynamic exec
        whose ``via`` gives the one-line reason."""
        if self.incomplete is None:
            self.incomplete = reason
            self.dynamic(f"{self.lang}: {reason}")

    # -- the network ------------------------------------------------------------------------

    def network(self, target: Val, *, data: tuple[Val, ...] = (), headers: tuple[Val, ...] = (),
                scheme: str = "", port: int = 0, sends: bool = False, listens: bool = False,
                cmd: Cmd | None = None, program: str = "") -> None:
        """A connection to ``target`` (URL or host); ``data`` is what it sends, ``headers`` the
        credentials it authenticates with (only secret files and the environment taint those)."""
        self.output(target, *data, *headers)
        secret = bool(taint_of(target, *data) & (SECRET | ENV | CRED)) or bool(taint_of(*headers) & (SECRET | ENV))
        sends = sends or secret or any(not _empty(d) for d in data)
        if is_placeholder(target):
            return
        for word in words(target):
            if not self.first("network", word, sends, secret, scheme, port, listens, program, (cmd or self.cmd).via):
                continue
            text = word.text
            if not net.is_url(text) and not word.dynamic and "/" in text:
                text = text.split("/", 1)[0]
            net.remote(self.an, cmd or self.cmd, program or self.prog, Word(text, word.dynamic),
                       sends_data=sends, sends_secret=secret, scheme=scheme, port=port, listens=listens)

    def wire(self, sock: Val) -> None:
        """A socket now stands for the standard streams (``os.dup2(s.fileno(), 0)``)."""
        self.wired = sock

    def wiring(self, program: str, cmd: Cmd | None = None, wired: Val | None = None) -> None:
        """A program started with a socket as its standard streams: a reverse shell when it is a
        shell, recorded like ``bash -i >& /dev/tcp/host/port`` (a tcp action of the shell)."""
        sock = wired or self.wired
        if sock is None or (id(sock), program) in self.shells:
            return
        self.shells.add((id(sock), program))
        cmd = cmd or self.cmd
        host, port = sock.value[1].get("host"), sock.value[1].get("port", 0)
        name = program if program in SHELLS else program.rstrip("0123456789.") or program
        for word in words(host) if host is not None else [Word("", dynamic=True)]:
            facts = net.net_facts(word.text, scheme="tcp", port=port, sends_data=True)
            self.an.network(facts, cmd, program=name, dynamic=word.dynamic)

    def _mark(self, at: int, dynamic: bool, secret: bool) -> None:
        """Actions recorded from text with unknown parts are dynamic; from secret text, sends of it
        are secret."""
        if not dynamic and not secret:
            return
        acts = self.an.actions
        for i in range(at, len(acts)):
            a = acts[i]
            if dynamic and _has_mark(a):
                a = a._replace(dynamic=True, resource=a.resource.replace(UNKNOWN_MARK, "…"),
                               program=a.program.replace(UNKNOWN_MARK, "…"),
                               args=tuple(x.replace(UNKNOWN_MARK, "…") for x in a.args),
                               target=a.target._replace(path=a.target.path.replace(UNKNOWN_MARK, "…")))
            if secret and a.kind == "network":
                a = a._replace(net=a.net._replace(sends_data=True, sends_secret=True))
            acts[i] = a


def _one_word(v: Val) -> Word:
    found = words(v)
    return found[0] if len(found) == 1 else Word("?", dynamic=True)


def _has_mark(a: Action) -> bool:
    return (UNKNOWN_MARK in a.resource or UNKNOWN_MARK in a.program or UNKNOWN_MARK in a.target.path
            or UNKNOWN_MARK in a.net.url or any(UNKNOWN_MARK in x for x in a.args))


def _empty(v: Val) -> bool:
    return v.kind == 0 and (v.value is None or v.value == "" or v.value == b"")
