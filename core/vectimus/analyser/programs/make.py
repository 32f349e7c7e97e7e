"""make: the recipes a goal runs, read from the Makefile by parsing it (never by running make).

``run`` takes a make command line (``-f``, ``-C``, ``-n``, goals, ``VAR=value``), reads the Makefile
(``makefile.parse``), finds the goal's recipes and those of its prerequisites, expands their
variables and analyses each as shell code run by the file (``via`` ``Makefile:target``).
``$(shell …)`` runs whenever the Makefile is read, so every one of them is analysed too. A variable
with no value in the Makefile or the environment becomes an unresolved shell variable, so what it
would change stays unknown (dynamic).
Standard library only: imported when a call runs make.
"""

from __future__ import annotations

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.facts import env
from vectimus.analyser.programs.makefile import Makefile, Rule, parse

MAX_RECIPES = 400           # recipe lines one make run contributes
MAX_INCLUDES = 16
MAX_DEPTH = 64             # prerequisites of prerequisites … followed
NAMES = ("GNUmakefile", "makefile", "Makefile")
MAKE_VALUE = argv.opts("-f --file --makefile -C --directory -I --include-dir -j --jobs -l --load-average "
                       "-o --old-file --assume-old -W --what-if --new-file --assume-new -O --output-sync "
                       "--eval -E")


DRY_RUN = ("n", "just-print", "dry-run", "recon", "q", "question", "t", "touch")


def run(an: Analysis, cmd: Cmd, name: str) -> bool | None:
    """make / gmake: the recipes the goals run, read from the Makefile as it is on disk (or from the
    command's input for ``-f -``), with ``--eval`` text and ``MAKEFLAGS`` options."""
    p = argv.parse([*_makeflags(cmd), *cmd.words[1:]], MAKE_VALUE)
    cmd = cmd.moved(p.all("C", "directory"))
    evals = p.all("eval", "E")
    files = p.all("f", "file", "makefile") or _default_file(an, cmd)
    listed = env.value(cmd, "MAKEFILES")  # read before the others (a missing one is skipped)
    if listed is not None:
        names = listed.text.split() if not listed.dynamic else ["$MAKEFILES"]
        files = [*(Word(name, listed.dynamic) for name in names), *files]
    if not files and not evals:
        return None
    if any(w.dynamic for w in files):  # `make -f <(…)`, `make -f "$X"`: a Makefile nobody can read
        runs.unread(an, cmd, "", "make -f", True, "a Makefile Vectimus cannot resolve")
        return True
    goals, overrides = [], {}
    for word in p.operands:
        if "=" in word.text and not word.text.startswith("="):
            key, _, value = word.text.partition("=")
            overrides[key.strip(":")] = value
        else:
            goals.append(word.text)
    mk = Makefile()
    try:
        for word in files:
            if word.text in runs.STDIN_FILES:
                if cmd.stdin.text is None:
                    runs.unread(an, cmd, "", f"make -f {word.text}", True, "a Makefile from its input, unseen")
                    return None
                mk.sources["-f " + word.text] = ("", True)
                parse(cmd.stdin.text, "-f " + word.text, mk, an=an)
            else:
                _load(an, cmd, word, mk)
        for word in evals:
            if word.dynamic:
                runs.unread(an, cmd, "", "make --eval", True, "--eval text Vectimus cannot resolve")
                return None
            mk.sources.setdefault("--eval", ("", True))
            parse(word.text, "--eval", mk)
        if overrides:
            mk.vars.update(overrides)
            mk.origin = None
        if "SHELL" in overrides and not _shell(an, cmd, overrides["SHELL"]):
            return None
        if mk.sources:
            analyse(an, cmd, mk, None if any(p.has(f) for f in DRY_RUN) else goals or [mk.default])
    except Unanalysable as exc:
        path, mine = next(iter(mk.sources.values()), ("", False))
        runs.unread(an, cmd, path, runs.display(an, path) if path else "Makefile", mine, str(exc))
    return None


def _makeflags(cmd: Cmd) -> list[Word]:
    """The options ``MAKEFLAGS`` set on the command gives make (``MAKEFLAGS='--eval=…' make``)."""
    import shlex

    value = env.value(cmd, "MAKEFLAGS")
    if value is None or not value.text.strip():
        return []
    if value.dynamic:
        return [Word("--eval", True)]
    try:
        words = shlex.split(value.text)
    except ValueError:
        return [Word("--eval", True)]
    if words and not words[0].startswith("-"):  # make's own short form: "ks" for -k -s
        words[0] = "-" + words[0]
    return [Word(w) for w in words]


def _shell(an: Analysis, cmd: Cmd, shell: str) -> bool:
    """``make SHELL=…``: a shell runs the recipes as ever; a file the command names is read as what
    runs them (False: it was, or it is unknown, and the recipes are its business)."""
    program = shell.split()[0] if shell.strip() else ""
    if runs.interpreter_language(program.rsplit("/", 1)[-1]) and (
            "/" not in program or an.target(Word(program), cmd.scope).is_system):
        return True
    if "/" in program:
        runs.run_file(an, cmd, Word(program), label=f"SHELL={program}")
    else:
        runs.unread(an, cmd, "", f"SHELL={shell}", True, f"recipes run by SHELL={shell}")
    return False


def analyse(an: Analysis, cmd: Cmd, mk: Makefile, goals: list[str] | None) -> None:
    """What reading ``mk`` runs (its ``$(shell …)``), then the recipes of ``goals`` (None: no recipes;
    ``[]``: every rule's, for a Makefile being written)."""
    for source, text in mk.shell_calls:
        path, mine = mk.sources.get(source, ("", True))
        runs.analyse(an, cmd, mk.expand(text), "shell", f"{source} $(shell)", mine, path=path)
    if goals is None:
        return
    shell = mk.expand(mk.vars.get("SHELL", "/bin/sh")).strip() or "/bin/sh"
    lang = runs.interpreter_language(shell.split()[0].rsplit("/", 1)[-1])
    for target, source, lines in expanded(mk, goals):
        path, mine = mk.sources.get(source, ("", True))
        if lang is None:
            runs.unread(an, cmd, path, f"{source}:{target}", mine, f"recipes run by SHELL={shell}")
            return
        _recipe(an, cmd, mk, f"{source}:{target}", lines, mine, path, lang)


MAX_DERIVED = 16  # goal lists whose recipes are kept with one kept parse


def expanded(mk: Makefile, goals: list[str]) -> list[tuple[str, str, list[str]]]:
    """``recipes(mk, goals)``, or every rule's recipe for no goals: a pure function of the Makefile
    and the goals, so kept with the parse ``mk`` is an unchanged copy of (``makefile.parse``)."""
    origin = mk.origin
    if origin is None:
        return recipes(mk, goals) if goals else _every_recipe(mk)
    key = tuple(goals)
    found = origin.derived.get(key)
    if found is None:
        found = recipes(mk, goals) if goals else _every_recipe(mk)
        while len(origin.derived) >= MAX_DERIVED:
            origin.derived.pop(next(iter(origin.derived)))
        origin.derived[key] = found
    return found


def _every_recipe(mk: Makefile) -> list[tuple[str, str, list[str]]]:
    """Every rule's recipe (a Makefile being written: any target may run later)."""
    out, count = [], 0
    kept = _expansions(mk)
    for target, rule in [*mk.rules.items(), *mk.patterns]:
        for block in rule.recipes:
            count += len(block)
            if count > MAX_RECIPES:
                raise Unanalysable(f"a Makefile with more than {MAX_RECIPES} recipe lines")
            lines = []
            for line in block:
                found = kept.get(line)
                if found is None:
                    found = kept[line] = mk.expand(line, {})
                lines.append(found)
            out.append((target, rule.source, lines))
    return out


# The variables of the last Makefile written, and its recipe lines expanded with them, by line:
# expanding a line is a pure function of the line and the variables, and a Makefile written again
# with a rule changed mostly has the same variables and lines.
_EXPANDED: list = [None, {}]
MAX_EXPANDED = 4096


def _expansions(mk: Makefile) -> dict[str, str]:
    """The kept expansions of recipe lines (without automatic variables) under ``mk``'s variables."""
    variables, kept = _EXPANDED
    if variables != mk.vars or len(kept) > MAX_EXPANDED:
        kept = {}
        _EXPANDED[:] = [dict(mk.vars), kept]
    return kept


def _default_file(an: Analysis, cmd: Cmd) -> list[Word]:
    for name in NAMES:
        target = an.target(Word(name), cmd.scope)
        if target.exists or target.path in an.pending:  # also one this call writes first
            return [Word(name)]
    return []


def _load(an: Analysis, cmd: Cmd, word: Word, mk: Makefile) -> None:
    """Read and parse one Makefile and every file it includes into ``mk``."""
    queue = [an.target(word, cmd.scope).path]
    while queue:
        if len(mk.sources) > MAX_INCLUDES:
            raise Unanalysable(f"more than {MAX_INCLUDES} included Makefiles")
        path = queue.pop(0)
        found = runs.source(an, cmd, path)
        if found is None:
            continue
        text, label, mine = found
        mk.sources[label] = (path, mine)
        parse(text, label, mk, an=an)
        queue.extend(an.target(Word(name), cmd.scope).path for name in mk.includes)
        mk.includes.clear()


def recipes(mk: Makefile, goals: list[str]) -> list[tuple[str, str, list[str]]]:
    """(target, file, recipe lines) for what making ``goals`` runs, prerequisites first, each once."""
    out: list[tuple[str, str, list[str]]] = []
    seen: set[str] = set()
    count = 0

    def visit(target: str, depth: int) -> None:
        nonlocal count
        if target in seen:
            return
        if depth > MAX_DEPTH:  # a recipe past any limit must not run unread
            raise Unanalysable(f"make prerequisites nested more than {MAX_DEPTH} deep")
        seen.add(target)
        rule, stem = mk.rules.get(target), ""
        if rule is None or not rule.recipes:
            found = _pattern(mk, target)
            if found is not None:
                pattern, stem = found
                merged = Rule(pattern.source)
                merged.prereqs = [*(rule.prereqs if rule is not None else ()), *pattern.prereqs]
                merged.recipes = pattern.recipes
                rule = merged
        if rule is None:
            return
        prereqs = [p.replace("%", stem) for p in rule.prereqs]
        for prereq in prereqs:
            visit(prereq, depth + 1)
        for block in rule.recipes:
            count += len(block)
            if count > MAX_RECIPES:
                raise Unanalysable(f"make would run more than {MAX_RECIPES} recipe lines")
            auto = {"@": target, "<": prereqs[0] if prereqs else "", "^": " ".join(prereqs),
                    "+": " ".join(prereqs), "?": " ".join(prereqs), "*": stem, "|": ""}
            out.append((target, rule.source, [mk.expand(line, auto) for line in block]))

    for goal in goals:
        if goal:
            visit(goal, 0)
    return out


def _pattern(mk: Makefile, target: str) -> tuple[Rule, str] | None:
    for pattern, rule in mk.patterns:
        prefix, _, suffix = pattern.partition("%")
        if target.startswith(prefix) and target.endswith(suffix) and len(target) >= len(prefix) + len(suffix):
            return rule, target[len(prefix):len(target) - len(suffix)]
    return None


def _recipe(an: Analysis, cmd: Cmd, mk: Makefile, name: str, lines: list[str], mine: bool, path: str,
            shell: str) -> None:
    """One target's recipe lines: each runs in its own shell (all in one with ``.ONESHELL``)."""
    clean = [line.lstrip().lstrip("@-+").lstrip() for line in lines]
    for text in (["\n".join(clean)] if mk.oneshell or shell != "shell" else clean):
        if text.strip():
            runs.analyse(an, cmd, text, shell, name, mine, path=path)
