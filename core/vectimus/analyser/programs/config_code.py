"""Tools whose configuration file is code they run: ``eslint .`` imports ``eslint.config.js``, ``jest``
its ``jest.config.ts``, ``vite build`` its ``vite.config.ts``, ``gulp`` its ``gulpfile.js``,
``sphinx-build docs out`` executes ``docs/conf.py``, ``mkdocs build`` the ``hooks:`` its
``mkdocs.yml`` lists, and so on (``TOOLS``). The file the tool would load (the one its option names,
else the first of its names in the command's directory or a parent up to the project) is analysed as
the code it is, run by the tool, whoever wrote it: a file written where the hook could not read it, or
one the repository came with, is read when the tool runs. Run directly, through ``npx``/``pnpm
exec``/``yarn``/``bunx`` or a project script.
Standard library only: imported when one of these tools runs.
"""

from __future__ import annotations

import posixpath
import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

_JS = ("js", "mjs", "cjs", "ts", "mts", "cts")


def _names(*stems: str, exts: tuple[str, ...] = _JS) -> tuple[str, ...]:
    return tuple(f"{stem}.{ext}" for stem in stems for ext in exts)


# program -> (its config file names, the options that name one)
TOOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "eslint": (_names("eslint.config", ".eslintrc", exts=("js", "mjs", "cjs", "ts", "mts", "cts")), ("-c", "--config")),
    "prettier": (_names("prettier.config", ".prettierrc"), ("--config",)),
    "jest": (_names("jest.config"), ("-c", "--config")),
    "vitest": (_names("vitest.config", "vite.config"), ("-c", "--config")),
    "vite": (_names("vite.config"), ("-c", "--config")),
    "webpack": (_names("webpack.config"), ("-c", "--config")),
    "webpack-cli": (_names("webpack.config"), ("-c", "--config")),
    "webpack-dev-server": (_names("webpack.config"), ("-c", "--config")),
    "rollup": (_names("rollup.config"), ("--config",)),
    "next": (_names("next.config"), ()),
    "nuxt": (_names("nuxt.config"), ()), "nuxi": (_names("nuxt.config"), ()),
    "astro": (_names("astro.config"), ("--config",)),
    "babel": (_names("babel.config", ".babelrc"), ("--config-file",)),
    "gulp": (_names("gulpfile", "Gulpfile"), ("-f", "--gulpfile")),
    "grunt": (_names("Gruntfile", "gruntfile"), ("--gruntfile",)),
    "tailwindcss": (_names("tailwind.config"), ("-c", "--config")),
    "postcss": (_names("postcss.config", ".postcssrc"), ("--config",)),
    "stylelint": (_names("stylelint.config", ".stylelintrc"), ("--config",)),
    "playwright": (_names("playwright.config"), ("-c", "--config")),
    "cypress": (_names("cypress.config"), ("-C", "--config-file")),
    "commitlint": (_names("commitlint.config", ".commitlintrc"), ("-g", "--config")),
    "tsup": (_names("tsup.config"), ("--config",)),
    "karma": (_names("karma.conf"), ()),
    "mocha": (_names(".mocharc"), ("--config",)),
    "ava": (_names("ava.config"), ("--config",)),
    "svelte-kit": (_names("svelte.config"), ()),
    "sphinx-build": (("conf.py",), ("-c",)),
    "mkdocs": (("mkdocs.yml", "mkdocs.yaml"), ("-f", "--config-file")),
}
RUNNERS = {"js": "node", "mjs": "node", "cjs": "node", "ts": "typescript", "mts": "typescript", "cts": "typescript",
           "py": "python", "coffee": ""}
_HOOKS = re.compile(r"^hooks:[ \t]*\n((?:[ \t]+-[^\n]*\n?)+)", re.M)


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``name [options] …``: the configuration file it loads, analysed as the code it is."""
    names, options = TOOLS[name]
    words = list(cmd.words[1:])
    given = next((words[i + 1] for i, w in enumerate(words[:-1]) if w.text in options), None)
    given = given or next((Word(w.text.split("=", 1)[1], w.dynamic) for w in words
                           if "=" in w.text and w.text.split("=", 1)[0] in options), None)
    if given is not None and given.dynamic:
        runs.unread(an, cmd, "", f"{name} {given.text}", runs.agent_wrote_anything(an),
                    "a configuration named by an unknown value")
        return
    if name == "sphinx-build":
        _sphinx(an, cmd, given)
        return
    from vectimus.analyser.programs.tasks import nearest

    path = an.target(given, cmd.scope).path if given is not None else nearest(an, cmd, names)
    if not path:
        return
    if name == "mkdocs":
        _mkdocs(an, cmd, path)
    else:
        _load(an, cmd, path, name)


def module(an: Analysis, cmd: Cmd, name: str, args) -> None:
    """``python -m sphinx|mkdocs ARGS``: as the tool's own command."""
    tool = "sphinx-build" if name == "sphinx" else name
    run(an, cmd.with_words([Word(tool), *args], via=f"python -m {name}"), tool)


def _load(an: Analysis, cmd: Cmd, path: str, name: str) -> None:
    ext = posixpath.splitext(path)[1].lstrip(".")
    runner = RUNNERS.get(ext, "node")
    if not runner:
        runs.unread(an, cmd, path, runs.display(an, path), runs.by_agent(an, path), f"a {ext} file {name} runs")
        return
    runs.run_file(an, cmd, Word(path), runner=runner, label=f"{name} {runs.display(an, path)}")


def _sphinx(an: Analysis, cmd: Cmd, confdir: Word | None) -> None:
    """sphinx-build [options] SOURCEDIR OUTDIR: ``conf.py`` of SOURCEDIR (or of ``-c DIR``) runs."""
    p = argv.parse(cmd.words[1:], argv.opts("-b -d -c -D -A -t -j -w -W --builder --doctree-dir --conf-dir "
                                            "--define --html-define --tag --jobs --warning-file"))
    folder = confdir or (p.operands[0] if p.operands else None)
    if folder is None or folder.dynamic:
        return
    target = an.target(Word(f"{folder.text.rstrip('/')}/conf.py"), cmd.scope)
    if target.exists or target.path in an.pending:
        _load(an, cmd, target.path, "sphinx-build")


def _mkdocs(an: Analysis, cmd: Cmd, path: str) -> None:
    """mkdocs: the Python files ``hooks:`` lists in its ``mkdocs.yml`` are imported."""
    if cmd.words[1:2] and cmd.words[1].text in ("new", "get-deps"):
        return
    text, _ = runs.read(an, path)
    found = _HOOKS.search(text or "")
    for line in (found.group(1).splitlines() if found else [])[:16]:
        hook = line.strip().lstrip("-").strip().strip("'\"")
        if hook:
            _load(an, cmd, posixpath.normpath(posixpath.join(posixpath.dirname(path), hook)), "mkdocs")


HANDLERS = {name: run for name in TOOLS}
