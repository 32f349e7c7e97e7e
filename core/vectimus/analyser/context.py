"""The state one analysis carries: limits, the actions found so far, shell scopes and words.

``Analysis`` is also how the stages reach each other: a program handler that runs shell text, a
language analyser that runs a command, a runner that executes a file all call a method on the
analysis (``shell``, ``dispatch``, ``code``) instead of importing the stage that does it, so no
module imports another back. ``vectimus.analyser.pipeline.Pipeline`` provides them.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

from vectimus import paths
from vectimus.model import NO_FACTS, NOT_CODED, Action, ActionKind, NetFacts, PathFacts, ToolCall
from vectimus.paths import Places
from vectimus.records import Record

MAX_COMMAND_BYTES = 64 * 1024   # one shell command line (or one code string)
MAX_DEPTH = 8                   # nested shells: bash -c "sh -c '…'", eval, heredocs fed to shells
MAX_ACTIONS = 500               # actions one tool call may expand into
MAX_NODES = 200_000             # syntax-tree nodes visited, over the whole call
MAX_NESTING = 150               # syntax-tree nesting (subshells in subshells …)
MAX_WORDS = 64                  # words one brace expansion or loop may produce
MAX_PARSE_SECONDS = 0.5         # CPU time building syntax trees, over the whole call (the grammar's
                                # error recovery takes seconds on some 30 KB inputs, "{;" repeated)

# A value known only at run time (the words xargs reads, a variable of interpreted code), spelled
# as a shell variable the analyser cannot resolve: inside shell text it expands to a dynamic word.
UNKNOWN = "${__unknown__}"

# Programs whose writes change a file's metadata, not what it holds.
METADATA_WRITERS = frozenset(("chmod", "chown", "chgrp", "chattr", "setfacl", "touch"))
LOCKERS = METADATA_WRITERS - {"touch"}  # on a directory, they change who may use what is inside

# Environment variables whose value in the hook's environment is trusted to be the shell's.
TRUSTED_ENV = ("HOME", "TMPDIR", "TMP", "TEMP", "USER", "LOGNAME", "SHELL", "OLDPWD", "XDG_RUNTIME_DIR",
               "VECTIMUS_HOME")


DESCRIPTOR = re.compile(r"/(?:dev|proc/self)/fd/\d+")  # a descriptor the command has open, not a file
_UNKNOWN = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\$\w+|`[^`]*`|[\"']")  # parts known only when it runs; quotes


def _shows_secret(text: str, scope: Scope) -> bool:
    """True when a path partly unknown until the command runs is a credential file whatever the
    unknown part is: in a credential directory (``~/.ssh/$f``, ``$(ls)`` run in ``~/.ssh``) or by
    the name it shows (``$D/.env``); not ``~/.ssh/$k.pub``."""
    sample = _UNKNOWN.sub(lambda m: "" if m.group() in "\"'" else "x", text)
    if scope.cwd_dynamic and not sample.startswith(("/", "~")):
        sample = "/x/" + sample  # where it is is unknown: only what its names show
    return paths.is_secret_path(paths.expand(sample, scope.places), scope.places.home)


class Unanalysable(Exception):
    """The call cannot be analysed within limits; the message is a one-line reason."""


class Unparsable(Unanalysable):
    """Shell text the grammar cannot parse at all."""


class Word(Record):
    """One shell word after quote removal and expansion."""

    text: str
    dynamic: bool = False   # part of it could not be resolved statically
    glob: bool = False      # it has unquoted glob characters
    secret: bool = False    # it carries data read from a secret file or the environment


class Input(Record):
    """Where a command's standard input comes from."""

    kind: str = ""          # "" (inherited) | "pipe" | "file" | "text"
    text: str | None = None  # the literal text of a heredoc or here-string
    secret: bool = False    # it carries a secret (an upstream stage read one)
    path: str = ""          # the file a ``<`` redirect reads, as written
    listed: str = ""        # a credential file (or a directory holding some) the stage before listed


class Scope:
    """What a shell knows while it runs a command list: cwd and constant variables."""

    __slots__ = ("places", "vars", "cwd_dynamic", "positional", "functions", "bins", "choices", "exported")

    def __init__(self, places: Places, vars: dict[str, Word] | None = None, cwd_dynamic: bool = False,
                 positional: tuple[Word, ...] | None = None) -> None:
        self.places = places
        self.vars = {} if vars is None else vars
        self.cwd_dynamic = cwd_dynamic
        self.positional = positional
        # Names the shell defined as functions (no program runs for them) -> (walker, body node).
        self.functions: dict[str, tuple | None] = {}
        # Directories the tool running this shell puts first on its PATH (an npm script's
        # node_modules/.bin, `uv run`'s .venv/bin): a program the agent wrote there runs by name.
        self.bins: tuple[str, ...] = ()
        # Variables a conditional set differently on its ways (``ways.py``): name -> the values it
        # may hold (None: unset); ``vars`` holds an unknown value for each.
        self.choices: dict[str, tuple[Word | None, ...]] = {}
        self.exported: set[str] = set()  # names ``export`` gave the environment ("*": ``set -a``)

    def child(self) -> Scope:
        """A copy for a subshell: its changes do not leak back."""
        copy = Scope(self.places, dict(self.vars), self.cwd_dynamic, self.positional)
        copy.functions = dict(self.functions)
        copy.bins = self.bins
        copy.exported = set(self.exported)
        if self.choices:
            copy.choices = dict(self.choices)
        return copy

    def environment(self) -> dict[str, Word]:
        """The variables a program this shell starts inherits (those exported)."""
        if not self.exported:
            return {}
        if "*" in self.exported:
            return dict(self.vars)
        return {k: v for k, v in self.vars.items() if k in self.exported}

    def with_bins(self, dirs) -> Scope:
        """A copy whose tool directories ``dirs`` come first (``Scope.bins``)."""
        copy = self.child()
        copy.bins = (*dirs, *self.bins)
        return copy

    def chdir(self, word: Word | None) -> None:
        """Change directory (``cd``); an unknown target makes relative paths unresolved."""
        if word is None:
            self.places = self.places._replace(cwd=self.places.home)
        elif word.dynamic or word.glob:
            self.cwd_dynamic = True
        else:
            self.places = self.places._replace(cwd=paths.resolve(word.text, self.places))
            self.cwd_dynamic = False


class Cmd(Record):
    """A simple command about to run: its words (program first) and where it runs."""

    words: tuple[Word, ...]
    raw: str
    scope: Scope
    via: tuple[str, ...] = ()
    stdin: Input = Input()
    depth: int = 0
    program_path: str = ""
    stdout: str = ""        # "" (to the agent) | "pipe" (the next stage reads it) | "file" (redirected)
    env: tuple[tuple[str, Word], ...] = ()  # NAME=value assignments that apply to this command only

    def with_words(self, words, via: str | None = None, **changes) -> Cmd:
        """The command a wrapper runs: ``words``, with ``via`` appended to the wrappers peeled."""
        if via:
            changes["via"] = (*self.via, via)
        changes.setdefault("program_path", "")
        return self._replace(words=tuple(words), **changes)

    def moved(self, dirs) -> Cmd:
        """This command run from the directory ``dirs`` lead to in turn (``make -C a -C b``)."""
        if not dirs:
            return self
        scope = self.scope.child()
        for word in dirs:
            scope.chdir(word)
        return self._replace(scope=scope)


class Analysis:
    """Collects the actions of one tool call and enforces the limits."""

    def __init__(self, call: ToolCall, places: Places, env: Mapping[str, str]) -> None:
        self.call = call
        self.places = places
        self.env = env
        self.actions: list[Action] = []
        self.secret_reads = 0   # counts secret reads and environment dumps, to taint data flow
        self.nodes = 0
        self.syntax_error = False
        self.parse_deadline = time.thread_time() + MAX_PARSE_SECONDS  # CPU time: a busy machine does not count
        self.mcp_tables = None  # the MCP tool tables of the active packs (None: the bundled one)
        self.remotes: dict[str, str] = {}  # git remotes this call adds or rewrites: name -> URL
        self.created: set[tuple[str, str]] = set()  # (tool, name) of clusters this call creates
        # Files this call writes, by resolved path: the text written when known, else None (a later
        # command of the same call that runs one is judged by that text); and whether it also
        # writes somewhere Vectimus cannot resolve. Both go to the session ledger.
        self.pending: dict[str, str | None] = {}
        self.unseen_writes = False
        self.memo: dict = {}  # what stages that read files keep for the rest of the call (runs)
        self.known = paths.Known()  # paths resolved and classified in this call
        self._facts: dict[int, tuple[Places, dict[str, PathFacts]]] = {}  # ``target``'s, by id(places)

    def add(self, action: Action) -> None:
        """Record one action; beyond MAX_ACTIONS the call is unanalysable."""
        if len(self.actions) >= MAX_ACTIONS:
            raise Unanalysable(f"the call expands into more than {MAX_ACTIONS} actions")
        if self.syntax_error and not action.dynamic:
            action = action._replace(dynamic=True)
        self.actions.append(action)
        if action.kind == "file_read" and (action.target.is_secret or action.target.is_dir
                                           and self.holds_secrets(action.target.path)):
            self.secret_reads += 1  # what it reads out (`tar czf - . | curl -T - …`) carries them

    def holds_secrets(self, folder: str) -> bool:
        """Whether the directory ``folder`` holds credential files (the home, or a directory holding
        it, always; another, when a bounded search of it finds one)."""
        home = self.places.home.rstrip("/")
        if folder.rstrip("/") == home or home.startswith(folder.rstrip("/") + "/"):
            return True
        kept = self.memo.setdefault("holds secrets", {})
        if folder not in kept:
            kept[folder] = bool(paths.secret_file_in(folder, home))
        return kept[folder]

    def tick(self, count: int = 1) -> None:
        """Account for syntax-tree work; beyond MAX_NODES the call is unanalysable."""
        self.nodes += count
        if self.nodes > MAX_NODES:
            raise Unanalysable("the command is too large to analyse")

    # -- builders ---------------------------------------------------------------------------

    def target(self, word: Word, scope: Scope) -> PathFacts:
        """Path facts for a word naming a path, resolved in ``scope`` (once per path and place in a
        call: nothing runs while it is analysed, so the files stay as they are)."""
        text = word.text
        if word.dynamic or (scope.cwd_dynamic and not text.startswith(("/", "~"))):
            unknown = paths.unresolved(text)
            return unknown._replace(is_secret=True) if _shows_secret(text, scope) else unknown
        places = scope.places
        kept = self._facts.get(id(places))  # (places, its facts by text): hashing places is slow
        if kept is None or kept[0] is not places:  # (kept holds the places: its id is not reused)
            kept = self._facts[id(places)] = (places, {})
        facts = kept[1].get(text)
        if facts is None:
            facts = kept[1][text] = paths.classify(text, places, self.known)
        return facts

    def resolve(self, word: Word, scope: Scope) -> str:
        """The path a word names, resolved in ``scope`` like ``target`` (as written when unknown),
        without the facts: for files a stage reads, not for actions."""
        text = word.text
        if word.dynamic or (scope.cwd_dynamic and not text.startswith(("/", "~"))):
            return text
        return paths.resolve(text, scope.places, self.known)

    def file(self, kind: ActionKind, word: Word, cmd: Cmd, flags: tuple[str, ...] = (),
             program: str = "") -> PathFacts:
        """Record a file_read / file_write / file_delete of the path ``word`` names; its facts."""
        if not word.text and not word.dynamic or not word.dynamic and DESCRIPTOR.fullmatch(word.text):
            return PathFacts()  # (/dev/fd/3 is the command's own descriptor, whose opening is judged)
        target = self.target(word, cmd.scope)
        dynamic = word.dynamic or (cmd.scope.cwd_dynamic and not target.path.startswith("/"))
        inside: list[str] = []
        if target.is_glob and kind == "file_read" and not target.is_secret and not dynamic:
            target, inside = self._secrets_read(word, cmd.scope, target)
        # kind, resource, program, program_path, subcommand, args, flags, target, (net, pkg, mcp, db),
        # secrets, risk, via, raw, input, dynamic, env, (code, deferred): every field (``model.NO_FACTS``)
        self.add(tuple.__new__(Action, (kind, target.path or word.text, program, "", "", (), flags, target,
                                        *NO_FACTS, (), "", cmd.via, cmd.raw, "", dynamic, (), *NOT_CODED)))
        merges = kind == "file_write" and "r" in flags  # a tree copied into it (`cp -r x/. .claude/`)
        if target.is_dir and (kind == "file_delete" or program in LOCKERS or merges) \
                and not self._holds_places(target.path):
            inside = self.protected_inside(target.path)
        elif target.is_glob and kind != "file_read":  # `rm .claude/*.json`: the protected files it matches
            inside = self.protected_matching(target.path)
        if inside:
            for path in inside:
                self.add(Action(kind=kind, resource=path, program=program, flags=flags,
                                target=self.target(Word(path), cmd.scope),
                                via=(*cmd.via, f"inside {target.path}"), raw=cmd.raw, dynamic=dynamic))
        if kind == "file_write" and program not in METADATA_WRITERS:
            if dynamic:
                self.unseen_writes = True
            else:
                self.pending[target.path] = None
        return target

    def _secrets_read(self, word: Word, scope: Scope, target: PathFacts) -> tuple[PathFacts, list[str]]:
        """A read of the glob ``word``: a secret read when its text names credential files
        (``.env*``), else the credential files it matches now (``cat .e*``, ``head .*``)."""
        from vectimus.analyser import secret_globs

        pattern = self.resolve(word, scope)
        if secret_globs.selects_secret(pattern):
            return target._replace(is_secret=True), []
        return target, secret_globs.secrets_matching(pattern, self.places.home)

    def _holds_places(self, folder: str) -> bool:
        """``folder`` is the project, the home or a directory holding one (``/tmp`` around a scratch
        project): those deletes are judged as they are, not by the settings inside."""
        prefix = folder.rstrip("/") + "/"
        return folder in (self.places.project, self.places.home) or folder == "/" \
            or self.places.project.startswith(prefix) or self.places.home.startswith(prefix)

    def protected_matching(self, pattern: str) -> list[str]:
        """The protected files a glob ``pattern`` matches, or whose directory it matches (``*`` and
        ``[…]`` within a name, ``**`` across directories as find's ``start/**/name`` does); a pattern for everything in a directory
        holding the project or the home (``/tmp/*``) is judged as it is."""
        import re

        fixed = pattern[:min((pattern.find(c) for c in "*?[" if c in pattern), default=len(pattern))]
        folder = fixed.rsplit("/", 1)[0] if "/" in fixed else "."
        rest = pattern[len(folder):].strip("/")
        if not folder or (self._holds_places(folder) and rest in ("*", "**/*", "**", ".*")):
            return []
        regex = "".join(map(_glob_piece, re.findall(r"\*\*/|\*|\?|\[!?]?[^]]*]|[^*?[]+|\[", pattern)))
        # a match of a directory holding them counts (`rm -rf .cla*`, `mv .[c]laude /tmp`)
        return [p for p in self.protected_inside(folder) if re.match(regex + r"(?:/.*)?\Z", p)]

    def protected_inside(self, folder: str) -> list[str]:
        """The protected files inside the directory ``folder``: deleting, moving, locking or copying
        a tree into it does it to them (``rm -rf .claude``)."""
        from vectimus import protected

        places = self.places
        files = (places.declared or protected.protected()).governance
        return protected.below(folder, places.project, places.home, files, places.vectimus)

    def network(self, net: NetFacts, cmd: Cmd, program: str = "", dynamic: bool = False,
                secrets: tuple[str, ...] = ()) -> None:
        """Record a network action to ``net.host`` (``secrets``: kinds of credential it carries)."""
        self.add(Action(kind="network", resource=net.host, program=program, net=net, via=cmd.via,
                        raw=cmd.raw, dynamic=dynamic, secrets=secrets))

    # -- the stages, for recursion (provided by vectimus.analyser.pipeline.Pipeline) --------

    def shell(self, text: Word, cmd: Cmd, via: str, *, positional: tuple[Word, ...] | None = None,
              scope: Scope | None = None, stdin: Input = Input()) -> None:
        """Analyse ``text`` as shell code that ``cmd`` runs (``bash -c``, ``eval``, ``os.system``).

        ``scope`` defaults to a fresh shell in ``cmd``'s directory with ``positional`` as ``$1…``.
        """
        raise NotImplementedError

    def dispatch(self, cmd: Cmd) -> None:
        """Record the actions of one simple command (an argv), wrappers peeled."""
        raise NotImplementedError

    def code(self, lang: str, code: Word, cmd: Cmd, via: str) -> None:
        """Analyse source code in ``lang`` that ``cmd`` runs (``python -c``, a script, ``eval``)."""
        raise NotImplementedError


def _glob_piece(part: str) -> str:
    """One piece of a glob as a regular expression (a bracket expression never matches "/")."""
    import re

    if part == "**/":
        return ".*"
    if part in ("*", "?"):
        return "[^/]*" if part == "*" else "[^/]"
    if len(part) > 2 and part[0] == "[" and part[-1] == "]":
        body = part[1:-1]
        negated = body[:1] in ("!", "^")
        body = (body[1:] if negated else body).replace("\\", "\\\\").replace("[", "\\[")
        return f"(?!/)[{'^' if negated else ''}{body}]"
    return re.escape(part)


def basename(text: str) -> str:
    """The program name as it runs: ``/usr/bin/rm`` -> ``rm``."""
    stripped = text.rstrip("/")
    return stripped[stripped.rfind("/") + 1:] or text  # posixpath.basename, without its call overhead
