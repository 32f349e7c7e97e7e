"""bundler: the ``Gemfile`` (``--gemfile``, ``BUNDLE_GEMFILE``, else the nearest ``Gemfile`` or
``gems.rb``) is Ruby that bundler evaluates at every command that resolves the bundle (``install``,
``exec``, ``update``, ``check`` …), with the ``*.gemspec`` files its ``gemspec`` line loads and the
files ``eval_gemfile`` names. ``bundle exec CMD`` then runs CMD (``peel``).
Standard library only: imported when bundle runs.
"""

from __future__ import annotations

import glob
import posixpath
import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

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
    if sub in NO_EVAL or p.has("version", "v", "help", "h"):
        return
    gemfile(an, cmd, p.value("gemfile"))


def gemfile(an: Analysis, cmd: Cmd, given: Word | None = None) -> None:
    """The Gemfile bundler evaluates for ``cmd``, analysed as Ruby, with the gemspecs it loads."""
    from vectimus.analyser.facts import env
    from vectimus.analyser.programs.tasks import nearest

    given = given or env.value(cmd, "BUNDLE_GEMFILE")
    if given is not None and given.dynamic:
        runs.unread(an, cmd, "", "BUNDLE_GEMFILE", True, "a Gemfile named by an unknown value")
        return
    path = an.target(given, cmd.scope).path if given is not None else nearest(an, cmd, GEMFILES)
    if not path:
        return
    _evaluate(an, cmd, path, 0)


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
        specs += sorted(glob.glob(posixpath.join(glob.escape(where), pattern)))[:MAX_GEMSPECS]
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
