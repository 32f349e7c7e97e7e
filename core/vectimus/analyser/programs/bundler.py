"""bundler: the ``Gemfile`` (``--gemfile``, else the one bundler's settings name —
``BUNDLE_GEMFILE`` in the application's ``.bundle/config`` (or ``$BUNDLE_APP_CONFIG/config``), in the
environment, in the user's ``~/.bundle/config`` (or ``$BUNDLE_USER_CONFIG``) — and the nearest
``Gemfile`` or ``gems.rb``) is Ruby that bundler evaluates at every command that resolves the bundle (``install``,
``exec``, ``update``, ``check`` …), with the ``*.gemspec`` files its ``gemspec`` line loads and the
files ``eval_gemfile`` names. ``bundle exec CMD`` then runs CMD (``peel``).
Standard library only: imported when bundle runs.
"""

from __future__ import annotations

import glob
import posixpath
import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import UNKNOWN, Analysis, Cmd, Word
from vectimus import world

GEMFILES = ("Gemfile", "gems.rb")
NO_EVAL = frozenset(("version", "--version", "-v", "help", "--help", "-h", "init", "config", "gem", "plugin",
                     "completion"))
MAX_GEMSPECS = 16
_GEMSPEC = re.compile(r"^\s*gemspec\b(.*)$", re.M)
_EVAL_GEMFILE = re.compile(r"^\s*eval_gemfile[\s(]+['\"]([^'\"]+)['\"]", re.M)
_OPTION = re.compile(r"\b(path|name):\s*['\"]([^'\"]+)['\"]")


def bundle(an: Analysis, cmd: Cmd, name: str) -> None:
    """``bundle …``: the Gemfile and what it loads, for every command that evaluates it."""
    p = argv.parse(cmd.words[1:], argv.opts("--gemfile --path --jobs -j --retry --without --with --binstubs"),
                   stop_at_operand=True)
    sub = p.operands[0].text if p.operands and not p.operands[0].dynamic else "install"
    texts = [w.text.lower() for w in p.operands]
    if sub == "config" and "gemfile" in texts[:4] and texts.index("gemfile") + 1 < len(p.operands):
        named = p.operands[texts.index("gemfile") + 1]  # bundle config [set] [--local] gemfile FILE: the
        if named.dynamic:  # Gemfile of every later bundle command
            runs.unread(an, cmd, "", "bundle config gemfile", True, "a Gemfile named by an unknown value")
        else:
            _evaluate(an, cmd, an.target(named, cmd.scope).path, 0)
        return
    if sub in NO_EVAL or p.has("version", "v", "help", "h"):
        return
    gemfile(an, cmd, p.value("gemfile"))


def gemfile(an: Analysis, cmd: Cmd, given: Word | None = None) -> None:
    """The Gemfile bundler evaluates for ``cmd``, analysed as Ruby, with the gemspecs it loads."""
    from vectimus.analyser.facts import env
    from vectimus.analyser.programs.tasks import nearest

    if given is not None:
        named = [given]
    else:  # bundler's settings: the application's config, the environment, the user's config
        named = [w for w in (env.value(cmd, "BUNDLE_GEMFILE"),) if w is not None]
        first = an.target(named[0], cmd.scope).path if named and not named[0].dynamic else nearest(an, cmd, GEMFILES)
        root = posixpath.dirname(first) if first else cmd.scope.places.cwd
        app = env.value(cmd, "BUNDLE_APP_CONFIG")
        user = env.value(cmd, "BUNDLE_USER_CONFIG")
        home = env.value(cmd, "BUNDLE_USER_HOME")
        configs = [Word(f"{app.text}/config", app.dynamic) if app is not None else Word(f"{root}/.bundle/config"),
                   user if user is not None else Word(f"{home.text}/config", home.dynamic) if home is not None
                   else Word(f"{an.places.home}/.bundle/config")]
        named += [w for config in configs for w in _setting(an, cmd, config, "BUNDLE_GEMFILE")]
    if any(w.dynamic for w in named):
        runs.unread(an, cmd, "", "BUNDLE_GEMFILE", True, "a Gemfile named by an unknown value")
        return
    paths = [an.target(w, cmd.scope).path for w in named] + ([] if given is not None else [nearest(an, cmd, GEMFILES)])
    for path in dict.fromkeys(p for p in paths if p):
        _evaluate(an, cmd, path, 0)


def _setting(an: Analysis, cmd: Cmd, config: Word, key: str) -> list[Word]:
    """The value ``key`` has in the bundler config file ``config`` (YAML of ``KEY: "value"`` lines)."""
    if config.dynamic:
        return [Word(UNKNOWN, True)]
    text, _ = runs.read(an, an.target(config, cmd.scope).path)
    found = re.search(rf"^\s*{key}\s*:\s*(?:\"([^\"\n]*)\"|'([^'\n]*)'|([^#\n]*?))\s*(?:#.*)?$", text or "", re.M)
    value = next((g for g in found.groups() if g is not None), "") if found else ""
    return [Word(value)] if value.strip() else []


def _evaluate(an: Analysis, cmd: Cmd, path: str, depth: int) -> None:
    found = runs.source(an, cmd, path)
    if found is None:
        return
    text, label, mine = found
    runs.analyse(an, cmd, text, "ruby", label, mine, path=path)
    folder = posixpath.dirname(path)
    specs: list[str] = []
    for match in _GEMSPEC.finditer(text):
        options = dict(_OPTION.findall(match.group(1)))
        where = posixpath.normpath(posixpath.join(folder, options.get("path", ".")))
        pattern = f"{options['name']}.gemspec" if "name" in options else "*.gemspec"
        specs += sorted(world.glob(posixpath.join(glob.escape(where), pattern)))[:MAX_GEMSPECS]
        specs += [p for p in an.pending if posixpath.dirname(p) == where and p.endswith(".gemspec")]
    for spec in dict.fromkeys(specs):
        runs.run_file(an, cmd, Word(spec), runner="ruby")
    if depth < 4:
        for other in _EVAL_GEMFILE.findall(text):
            _evaluate(an, cmd, posixpath.normpath(posixpath.join(folder, other)), depth + 1)


def peel(cmd: Cmd, an: Analysis, name: str):
    """``bundle exec CMD``: the Gemfile is evaluated, then CMD runs; any other command is bundle's own."""
    p = argv.parse(cmd.words[1:], argv.opts("--gemfile"), stop_at_operand=True)
    if not p.operands or p.operands[0].text != "exec" or len(p.operands) < 2:
        return False
    gemfile(an, cmd, p.value("gemfile"))
    rest = argv.parse(p.operands[1:], frozenset(), stop_at_operand=True)
    return cmd.with_words(rest.operands, via="bundle exec") if rest.operands else False


HANDLERS = {"bundle": bundle}
