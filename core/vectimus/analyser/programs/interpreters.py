"""Interpreter command lines (``python -c``, ``node -e``, ``perl -e``, ``ruby -e``, ``php -r``, a script,
``python -m``, code on stdin): which code runs, handed to its language analyser.

Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import net
from vectimus.analyser.programs import packages, servers


def language(program: str) -> str | None:
    """The language an interpreter program runs, when its command line is read here, or None."""
    lang = runs.interpreter_language(program)
    return lang if lang in CODE_OPTS else None


# -- the command line -----------------------------------------------------------------------

CODE_OPTS = {"python": ("c",), "node": ("e", "eval", "p", "print"), "typescript": ("e", "eval", "p", "print"),
             "perl": ("e", "E"), "ruby": ("e",), "php": ("r",), "lua": ("e",), "r": ("e", "expr")}
VALUE_OPTS = {"python": "-c -m -W -X -Q", "node": "-e --eval -p --print -r --require --import "
              "--loader --experimental-loader --input-type -C --conditions",
              "typescript": "-e --eval -p --print -r --require --import --preload --cwd --config -c --filter "
              "--env-file --tsconfig --tsconfig-override -P --project -O --compiler-options",
              "perl": "-e -E -M -m -I", "ruby": "-e -r -I -C -E", "php": "-r -f -d -c -z -B -R -F -E -S -t",
              "lua": "-e -l", "r": "-e --expr -f --file --default-packages --encoding"}
# perl's and ruby's -i, -l, -0, -x and -F take attached values only (-i.bak, -F:)


STDIN_SCRIPTS = runs.STDIN_FILES  # a script path that reads stdin


def run(an: Analysis, cmd: Cmd, program: str) -> bool:
    """Analyse an interpreter command line; True when the code it runs is unknown."""
    lang = language(program) or ""
    words = list(cmd.words[1:])
    if program == "deno":
        return _deno(an, cmd, words)
    if program == "bun" and words and words[0].text in ("run", "x"):
        _remote_operands(an, cmd, program, words)
        return False
    p = argv.parse(_until_module(words) if lang == "python" else words, argv.opts(VALUE_OPTS[lang]),
                   stop_at_operand=True)
    if lang == "python" and len(p.operands) == 0 and p.value("m") is not None:
        p.operands.extend(words[len(_until_module(words)):])  # `-m pdb -c cont x.py`: the module's options
    if lang in ("node", "typescript"):
        _preloads(an, cmd, p)
    codes = [w for name, w in p.values if name in CODE_OPTS[lang]]
    module = p.value("m") if lang == "python" else None
    served, required = p.value("S"), p.value("r")
    if lang == "php" and served is not None:  # php -S ADDR:PORT [-t DOCROOT]: its built-in web server
        servers.serve(an, cmd, program, p.value("t"), port=servers.port(served), host=Word(
            served.text.rpartition(":")[0] or "localhost"))
    elif lang == "ruby" and [c.text.strip() for c in codes] == ["httpd"] and required is not None \
            and required.text == "un":  # ruby -run -e httpd [DIR] [-p PORT]: un.rb's web server
        rest = argv.parse(p.operands, argv.opts("-p --port -b --bind-address"))
        servers.serve(an, cmd, program, rest.operands[0] if rest.operands else None,
                      servers.port(rest.value("p", "port")) or 8080, rest.value("b", "bind-address"))
        return False
    if not codes and module is None and served is None and _checks_syntax(lang, p):
        return False  # the file is parsed and nothing of it runs
    if codes:
        operands = p.operands
        for name, code in p.values:
            if name in CODE_OPTS[lang]:
                an.code(lang, code, cmd, f"{program if lang == 'typescript' else lang} -{name}")
        if lang in ("perl", "ruby") and p.has("i"):
            for word in operands:
                an.file("file_write", word, cmd, ("i",), program=program)
        elif lang in ("perl", "ruby") and p.has("n", "p"):  # -n/-p loop over the files' lines
            for word in operands:
                an.file("file_read", word, cmd, program=program)
        return any(c.dynamic for c in codes)
    if module is not None:
        if module.text in ("pytest", "py.test"):
            from vectimus.analyser.programs import pytest

            pytest.run(an, cmd.with_words([Word("pytest"), *p.operands], via=f"{program} -m"), "pytest")
        elif module.text == "pylint":  # its configuration's init-hook and plugins
            from vectimus.analyser.programs import pylint

            pylint.run(an, cmd.with_words([Word("pylint"), *p.operands], via=f"{program} -m"), "pylint")
        elif module.text == "pip" or module.text.startswith("pip."):
            packages.run(an, cmd, "pip", p.operands)
        elif module.text in ("build", "piptools"):  # python -m build [dir]: the project's build code runs
            from vectimus.analyser.programs import python_resolvers

            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            after = words[at + 1:] if at >= 0 else p.operands
            if module.text == "build":
                python_resolvers.build(an, cmd, after)
            elif after and after[0].text in ("compile", "sync"):
                python_resolvers.compiled(an, cmd, after[1:], sync=after[0].text == "sync")
        elif module.text == "dotenv":  # python-dotenv's command line: the dotenv program
            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            an.dispatch(cmd.with_words([Word("dotenv"), *(words[at + 1:] if at >= 0 else p.operands)],
                                       via=f"{program} -m"))
        elif module.text in ("http.server", "SimpleHTTPServer"):
            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            servers.python_module(an, cmd, program, words[at + 1:] if at >= 0 else p.operands)  # its options follow it
        elif module.text in ("nox", "invoke", "SCons", "doit"):  # a task runner: its project file
            from vectimus.analyser.programs import python_runners

            texts = [w.text for w in words]  # what follows `-m NAME` is the runner's
            at = next((i for i, t in enumerate(texts) if t == module.text and texts[i - 1:i] == ["-m"]), -1)
            python_runners.module(an, cmd, module.text, tuple(words[at + 1:]) if at >= 0 else tuple(p.operands))
        elif module.text in ("uvicorn", "gunicorn", "hypercorn", "daphne", "flask", "celery", "fastapi"):
            from vectimus.analyser.programs import app_servers  # the project module they import

            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            app_servers.module(an, cmd, module.text, words[at + 1:] if at >= 0 else p.operands)
        elif module.text in ("alembic", "django"):  # the project's migrations and settings
            from vectimus.analyser.programs import migrations

            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            migrations.module(an, cmd, module.text, words[at + 1:] if at >= 0 else p.operands)
        elif module.text in ("sphinx", "mkdocs"):  # their configuration is code
            from vectimus.analyser.programs import config_code

            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            config_code.module(an, cmd, module.text, words[at + 1:] if at >= 0 else p.operands)
        elif module.text == "poethepoet":  # poe: a task of the project's pyproject.toml
            from vectimus.analyser.programs import poe_poetry

            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            poe_poetry.module(an, cmd, words[at + 1:] if at >= 0 else p.operands)
        elif module.text in ("zipfile", "tarfile") and len(p.operands) > 1 and p.operands[0].text in ("-e", "--extract"):
            from vectimus.analyser.programs import archive_members  # python -m zipfile -e ARCHIVE DIR

            archive_members.extracted(an, cmd, program, p.operands[1], p.operands[2] if len(p.operands) > 2 else None,
                                      zipped=module.text == "zipfile")
        elif module.text in ("venv", "virtualenv"):  # python -m venv --clear DIR: over what DIR holds
            from vectimus.analyser.programs import venvs

            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            venvs.made(an, cmd, program, words[at + 1:] if at >= 0 else p.operands)
        elif module.text in WRAPPER_MODULES:  # a debugger, profiler, coverage, unittest …: what it runs
            from vectimus.analyser.programs import python_wrappers

            at = next((i for i, w in enumerate(words) if w is module or w.text == f"-m{module.text}"), -1)
            python_wrappers.module(an, cmd, WRAPPER_MODULES[module.text],
                                   tuple(words[at + 1:]) if at >= 0 else tuple(p.operands))
        else:
            _module(an, cmd, module, tuple(p.operands))
        return module.dynamic
    script = p.operands[0] if p.operands else None
    if script is None or script.text in STDIN_SCRIPTS:
        if cmd.stdin.text is not None:
            an.code(lang, Word(cmd.stdin.text), cmd, f"{lang} <<")
            return False
        if cmd.stdin.kind == "file" and cmd.stdin.path:  # ruby < script.rb: the file is the program
            return runs.run_file(an, cmd, Word(cmd.stdin.path), runner=lang)
        return cmd.stdin.kind in ("pipe", "file")
    if script.text.startswith(("/dev/fd/", "/proc/self/fd/")):
        return True  # python3 <(curl …): the code is another command's output
    if net.is_url(script.text):
        net.remote(an, cmd, program, script)
        return False
    entry = _entry(an, cmd, script, lang)
    unknown = runs.run_file(an, cmd, entry, runner=lang, args=tuple(p.operands[1:]))
    if lang == "python" and not entry.dynamic and entry.text.endswith("manage.py"):  # (Django's)
        from vectimus.analyser.programs import migrations

        migrations.django_project(an, cmd, an.target(entry, cmd.scope).path, tuple(p.operands[1:]))
    return unknown


def _until_module(words: list[Word]) -> list[Word]:
    """python's own options: those before and including ``-m MOD`` (what follows is the module's)."""
    value = False
    for i, word in enumerate(words):
        if value:
            value = False
        elif word.text == "-m":
            return words[:i + 2]
        elif word.text.startswith("-m") or not word.text.startswith("-"):
            return words[:i + 1]
        else:
            value = word.text in ("-W", "-X", "-Q")
    return words


# python -m NAME: the tool in programs/python_wrappers.py that runs another program
WRAPPER_MODULES = {"pdb": "pdb", "ipdb": "ipdb", "pudb": "pudb", "cProfile": "cProfile", "profile": "profile",
                   "trace": "trace", "coverage": "coverage", "pyinstrument": "pyinstrument", "kernprof": "kernprof",
                   "line_profiler": "line_profiler", "viztracer": "viztracer", "memray": "memray",
                   "scalene": "scalene", "debugpy": "debugpy", "IPython": "ipython", "unittest": "unittest",
                   "doctest": "doctest"}
PRELOADS = ("r", "require", "import", "loader", "experimental-loader")  # node options naming code it loads first
NODE_ENTRIES = ("", ".js", ".mjs", ".cjs", "/index.js", "/index.mjs", "/index.cjs")


def _preloads(an: Analysis, cmd: Cmd, p) -> None:
    """Modules node loads before the script (``-r ./x.js``, ``--import``): a project file is read
    and analysed; a ``data:`` URL is code."""
    for name, word in p.values:
        if name not in PRELOADS:
            continue
        if word.text.startswith("data:"):
            an.code("node", Word(_data_url(word.text), word.dynamic), cmd, f"node --{name} data:")
        elif word.text.startswith(("./", "../", "/", "file:")) or word.dynamic:
            module = Word(word.text.removeprefix("file://"), word.dynamic)
            runs.run_file(an, cmd, _entry(an, cmd, module, "node"), runner="node", label=f"node --{name} {word.text}")


def _data_url(url: str) -> str:
    """The text of a ``data:`` URL (percent-encoded or base64)."""
    import base64
    import binascii
    from urllib.parse import unquote

    head, _, body = url.partition(",")
    if head.endswith(";base64"):
        try:
            return base64.b64decode(unquote(body)).decode("utf-8", "replace")
        except (ValueError, binascii.Error):
            return body
    return unquote(body)


def _entry(an: Analysis, cmd: Cmd, script: Word, lang: str) -> Word:
    """The file an interpreter runs for ``script``: node tries the extensions and a directory's
    index; python runs a directory's (or zip's) ``__main__.py``."""
    if script.dynamic or script.glob:
        return script
    if lang in ("node", "typescript"):
        for suffix in NODE_ENTRIES:
            facts = an.target(Word(script.text.rstrip("/") + suffix), cmd.scope)
            if facts.exists and not facts.is_dir:
                return Word(facts.path)
    if lang == "python" and an.target(script, cmd.scope).is_dir:
        return Word(script.text.rstrip("/") + "/__main__.py")
    return script


def _module(an: Analysis, cmd: Cmd, module: Word, args: tuple[Word, ...]) -> None:
    """``python -m pkg.mod``: a module of the project (found from the working directory) runs."""
    if module.dynamic or not module.text.replace(".", "").replace("_", "").isalnum():
        return
    base = module.text.replace(".", "/")
    for candidate in (f"{base}.py", f"{base}/__main__.py"):
        if an.target(Word(candidate), cmd.scope).exists:
            runs.run_file(an, cmd, Word(candidate), runner="python", args=args)
            return


DENO_VALUE = argv.opts("--ext --import-map -c --config --location --seed --cert --lock --v8-flags "
                       "--env-file --inspect --inspect-brk --inspect-wait")


def _deno(an: Analysis, cmd: Cmd, words: list[Word]) -> bool:
    """deno eval CODE (TypeScript unless ``--ext js``); deno run/… of a URL fetches it."""
    if words and words[0].text == "eval":
        p = argv.parse(words[1:], DENO_VALUE, stop_at_operand=True)
        if p.operands:
            ext = p.value("ext")
            lang = "node" if ext is not None and ext.text in ("js", "jsx", "mjs", "cjs") else "typescript"
            an.code(lang, p.operands[0], cmd, "deno eval")
            return p.operands[0].dynamic
        return False
    sub = words[0].text if words else ""
    if sub in ("run", "serve") or (sub and not sub.startswith("-") and sub not in DENO_COMMANDS):
        p = argv.parse(words[1:] if sub in ("run", "serve") else words, DENO_VALUE, stop_at_operand=True)
        script = p.operands[0] if p.operands else None
        if script is not None and not net.is_url(script.text):  # `deno run -A main.ts`, `deno main.ts`
            return runs.run_file(an, cmd, script, runner="typescript", args=tuple(p.operands[1:]))
        if script is not None:  # `deno run https://…/x.ts`: downloaded code, which nobody read
            net.remote(an, cmd, "deno", script)
            return True
    _remote_operands(an, cmd, "deno", words)
    return False


DENO_COMMANDS = frozenset((
    "add", "bench", "bundle", "cache", "check", "clean", "compile", "completions", "coverage", "doc", "eval",
    "fmt", "info", "init", "install", "jupyter", "lint", "lsp", "outdated", "publish", "remove", "repl", "run",
    "serve", "task", "test", "types", "uninstall", "upgrade", "vendor", "help",
))


def _remote_operands(an: Analysis, cmd: Cmd, program: str, words: list[Word]) -> None:
    for w in words:
        if net.is_url(w.text):
            net.remote(an, cmd, program, w)


# Options that only check a script's syntax: nothing of it runs (perl -c is not among them: it runs
# BEGIN blocks and the modules the script uses; nor ruby -c with -r, whose library loads first).
SYNTAX_ONLY = {"ruby": ("c",), "node": ("c", "check"), "php": ("l", "syntax-check")}


def _checks_syntax(lang: str, p) -> bool:
    """``ruby -c x.rb``, ``node --check x.js``, ``php -l x.php``: the script is parsed, never run."""
    return p.has(*SYNTAX_ONLY.get(lang, ())) and not p.has("r", "require", "import", "loader",
                                                           "experimental-loader")

