"""One simple command: peel its wrappers, record its exec action and what the program does.

``dispatch`` strips assignments and wrappers (``peel``), follows ``cd``, asks the program's
handler (``programs``) for its effects and records the exec action before them.
Standard library only: used on the hot path.
"""

from __future__ import annotations


import re

from vectimus.analyser import argv, loaded, programs, runs
from vectimus.analyser.context import MAX_NODES, Analysis, Cmd, Word, basename
from vectimus import world
from vectimus.analyser.facts import env
from vectimus.analyser.peel import OWN_COMMANDS, WRAPPERS
from vectimus.analyser.programs import option_commands
from vectimus.analyser.programs.channels import SHOWING, exec_secrets
from vectimus.analyser.programs.clouds import RISKY, exec_risk
from vectimus.analyser.programs.files import canonical
from vectimus.analyser.programs.shells import SHELLS
from vectimus.analyser.subcommands import SUBCOMMAND_TOOLS
from vectimus.model import NO_FACTS, NOT_CODED, Action, PathFacts

MAX_PEEL = 32  # wrappers around one command
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_NAME = re.compile(r"^[\w.+-]+$")  # a program's file name, nothing left to expand in it
_POSITIONAL = re.compile(r"^\$(\{?[0-9@*]\}?)$")  # `"$@"`, `$1`: the caller's, judged where it is known

LOOKUPS = {"type", "which", "whereis", "man", "help", "info", "whatis", "apropos", "tldr"}
HELP_ARGS = {"--help", "--version", "-help", "-version"}
SOLE_HELP_ARGS = HELP_ARGS | {"-h", "-v", "-V"}
LONG_SINGLE_DASH = {"find", "terraform", "tofu", "terragrunt", "java", "go"}
NO_PATH = PathFacts()  # the target of a program run by name


def dispatch(cmd: Cmd, an: Analysis) -> None:
    """Record the actions of one simple command (wrappers peeled, program handled)."""
    an.nodes += 1  # ``an.tick()``, inlined: this runs for every command
    if an.nodes > MAX_NODES:
        an.tick(0)
    for _ in range(MAX_PEEL):
        while len(cmd.words) > 1 and "=" in cmd.words[0].text and _ASSIGNMENT.match(cmd.words[0].text) \
                and not cmd.words[0].dynamic:
            cmd = _assigned(cmd, cmd.words[0], cmd.words[1:])  # `sudo VAR=1 rm …`: not the program
        if not cmd.words:
            return
        if cmd.words[0].glob and not cmd.words[0].dynamic:
            cmd = _globbed(an, cmd)
        head = cmd.words[0]
        named = _named(an, head) if head.dynamic else ""
        if named:  # `$(npm bin)/eslint`: a program by that name
            cmd = cmd.with_words([Word(named), *cmd.words[1:]])
            head = cmd.words[0]
        name = (basename(head.text) if "/" in head.text else head.text).lower().removesuffix(".exe")  # `curl.exe` (Windows, WSL) is curl
        if head.dynamic:
            break
        peel = WRAPPERS.get(name)
        if peel is None:
            break
        inner = peel(cmd, an, name)
        if inner is None:  # env's own arguments (`env -S '…'`) say it does not print the environment
            _exec(an, cmd, name, dynamic=False, at=None, skip_args=name != "env")
            loaded.loaded(an, cmd, name)  # (`SHELL=./x script -c …`: the shell it runs the text with)
            return
        if inner is False:
            break
        cmd = inner
    else:  # MAX_PEEL wrappers peeled: name the program the last one runs
        name = basename(cmd.words[0].text).lower()
    program_word = cmd.words[0]
    if program_word.dynamic:
        downloaded = an.memo.get("downloaded")
        if downloaded and any(text in program_word.text for text in downloaded):
            # `$(curl …)`: the command is what a download printed, run as a shell would run it
            name, cmd = "sh", cmd.with_words([Word("sh", dynamic=True), *cmd.words[1:]])
        _exec(an, cmd, name, dynamic=True, risk="" if name == "sh" or _POSITIONAL.match(program_word.text)
              else "unknown-program")
        return
    found = program_word.text if "/" in program_word.text else \
        "" if program_word.text in cmd.scope.functions else loaded.find_program(an, cmd, program_word.text)
    if found:
        cmd = cmd.with_words(cmd.words, program_path=found)
    at = len(an.actions)
    dynamic = False
    if name in option_commands.PROGRAMS:  # `man -P cmd` runs cmd even where man only looks up
        option_commands.run(an, cmd, name)
    if not _lookup_only(cmd, name):
        dynamic = bool(_run(an, cmd, name))
    elif name in ("yarn", "yarnpkg"):  # `yarn --version` too hands over to the project's yarnPath
        from vectimus.analyser.programs import js_manager_code

        js_manager_code.yarn(an, cmd)
    if found:  # the program runs, whatever its arguments (`./bin/ls --help`)
        loaded.program(an, cmd)
    loaded.loaded(an, cmd, name)  # and loads what its environment names (`LD_PRELOAD=… ls --help`)
    _exec(an, cmd, name, dynamic, at)


def _globbed(an: Analysis, cmd: Cmd) -> Cmd:
    """A program named by a pattern (``/bin/r? -rf ~``): the shell runs the first file it matches,
    the others becoming arguments; one matching nothing runs as written; past 16 matches, unknown."""

    pattern = cmd.words[0].text
    absolute = pattern if pattern.startswith("/") else f"{cmd.scope.places.cwd.rstrip('/')}/{pattern}"
    if cmd.scope.cwd_dynamic and not pattern.startswith("/"):
        return cmd.with_words([Word(pattern, dynamic=True), *cmd.words[1:]])
    matches = sorted(world.glob(absolute, limit=17))
    if not matches:
        return cmd
    if len(matches) > 16:
        return cmd.with_words([Word(pattern, dynamic=True), *cmd.words[1:]])
    return cmd.with_words([Word(m) for m in matches] + list(cmd.words[1:]))


def _named(an: Analysis, word: Word) -> str:
    """The name of the program a partly known word runs (``$(npm bin)/eslint`` runs an ``eslint``),
    or "" when its name is not known before it runs (``$(rev <<< mr)``, ``$P``) or the agent wrote
    a file by that name this session (which one runs is then unknown)."""
    folder, slash, name = word.text.rpartition("/")
    if not slash or not _NAME.match(name) or folder.count("(") != folder.count(")") \
            or folder.count("{") != folder.count("}"):
        return ""
    ledger = runs.session(an)
    if ledger.full or any(p.rpartition("/")[2] == name for p in (*an.pending, *ledger.files)):
        return ""
    return name


def _assigned(cmd: Cmd, assignment: Word, rest) -> Cmd:
    """``cmd`` without its leading ``NAME=value`` word, which joins the command's environment."""
    name, _, value = assignment.text.partition("=")
    return cmd.with_words(rest, env=(*cmd.env, (name, Word(value, assignment.dynamic, secret=assignment.secret))))


def _lookup_only(cmd: Cmd, name: str) -> bool:
    """True when the command only describes a program (``--help``, ``--version``, ``which x``)."""
    if name in LOOKUPS or (name in WRAPPERS and name not in OWN_COMMANDS):
        return name != "env" or len(cmd.words) > 1 and cmd.words[1].text in HELP_ARGS
    args = cmd.words[1:]
    if args and not args[0].dynamic and args[0].text in HELP_ARGS:
        return True
    return len(args) == 1 and args[0].text in SOLE_HELP_ARGS and name not in SHELLS


def _run(an: Analysis, cmd: Cmd, name: str) -> bool | None:
    """Record what program ``name`` does besides running; True when that is not knowable."""
    if name in ("cd", "pushd", "chdir"):
        target = next((w for w in cmd.words[1:] if not w.text.startswith("-") or w.text == "-"), None)
        if target is not None and target.text == "-":
            cmd.scope.cwd_dynamic = True
        else:
            cmd.scope.chdir(target)
        return None
    if name == "popd":
        cmd.scope.cwd_dynamic = True
        return None
    found = programs.handler(name, cmd)
    return found(an, cmd, name) if found is not None else None


def _exec(an: Analysis, cmd: Cmd, name: str, dynamic: bool, at: int | None = None,
          skip_args: bool = False, risk: str = "") -> None:
    """Record the exec action of ``cmd`` (at position ``at`` so it precedes its side effects);
    ``risk`` when the caller knows it (a program whose name is unknown until it runs)."""
    words = cmd.words[:1] if skip_args else cmd.words
    program_word = words[0]
    key = (name, words)
    found = _ARGUMENTS.get(key)
    if found is None:
        found = _arguments(name, words)
        if sum([len(w.text) for w in words]) <= MAX_KEPT_CHARS:  # (a short command line: kept)
            if len(_ARGUMENTS) >= MAX_ARGUMENTS:
                _ARGUMENTS.clear()
            _ARGUMENTS[key] = found
    subcommand, args, flags, unknown = found
    dynamic = dynamic or unknown or program_word.dynamic
    target = an.target(Word(cmd.program_path), cmd.scope) if cmd.program_path else NO_PATH
    program = name if not program_word.dynamic else program_word.text
    secrets = exec_secrets(name, cmd) if name in SHOWING and not skip_args else ()  # (their own first test)
    risk = risk or (exec_risk(an, name, cmd) if name in RISKY and not skip_args else "")
    # kind, resource, program, program_path, subcommand, args, flags, target, (net, pkg, mcp, db),
    # secrets, risk, via, raw, input, dynamic, env, (code, deferred): every field (``model.NO_FACTS``)
    an.add(tuple.__new__(Action, ("exec", program, program, cmd.program_path, subcommand, args, flags, target,
                                  *NO_FACTS, secrets, risk, cmd.via, cmd.raw, cmd.stdin.text or "", dynamic,
                                  env.knobs(cmd), *NOT_CODED)))
    if at is not None and at < len(an.actions) - 1:
        an.actions.insert(at, an.actions.pop())


# (program, words) -> what the exec action says of its arguments (``_arguments``): a pure function
# of the two, kept across calls (a make run execs the same recipe lines each time).
_ARGUMENTS: dict[tuple[str, tuple[Word, ...]], tuple[str, tuple[str, ...], tuple[str, ...], bool]] = {}
MAX_ARGUMENTS = 1024
MAX_KEPT_CHARS = 1024  # only command lines this short are kept


def _arguments(name: str, words: tuple[Word, ...]) -> tuple[str, tuple[str, ...], tuple[str, ...], bool]:
    """The subcommand, operands and canonical flags of ``name``'s command line ``words`` (the
    program first), and whether the subcommand or a flag is unknown (dynamic)."""
    takes = SUBCOMMAND_TOOLS.get(name)
    p = argv.parse(words[1:], takes or frozenset(), long_single_dash=name in LONG_SINGLE_DASH)
    subcommand = ""
    dynamic = False
    if takes is not None:
        head = argv.parse(words[1:], takes, stop_at_operand=True)
        ops = [w for w in head.operands if not (name == "cargo" and w.text.startswith("+"))]
        if ops:
            subcommand = ops[0].text
            dynamic = ops[0].dynamic
    dynamic = dynamic or any(w.dynamic for w in p.flag_words)
    return subcommand, tuple([w.text for w in p.operands]), canonical(name, p.flags), dynamic
