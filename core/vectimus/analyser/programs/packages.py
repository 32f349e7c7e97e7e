"""Package-manager operations: install, uninstall, publish and run, with where packages come from.

Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts.net import is_url, remote
from vectimus.model import Action, PackageFacts

INSTALL, UNINSTALL, PUBLISH, RUN = "install", "uninstall", "publish", "run"
_COMMON_INSTALL = dict.fromkeys(("install", "i", "add", "in", "ins", "isntall", "ci", "update", "up",
                                 "upgrade", "download", "wheel", "get", "sync", "inject", "create"),
                                INSTALL)
_COMMON_REMOVE = dict.fromkeys(("uninstall", "remove", "rm", "r", "un", "unlink", "purge", "del",
                                "erase"), UNINSTALL)
OPS = {**_COMMON_INSTALL, **_COMMON_REMOVE, "publish": PUBLISH, "upload": PUBLISH, "push": PUBLISH,
       "exec": RUN, "x": RUN, "dlx": RUN, "run": RUN}

VALUE_OPTS = {
    "pip": "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f "
           "--find-links -t --target --prefix --root --trusted-host --platform --python-version "
           "--implementation --abi --src --upgrade-strategy --progress-bar --cache-dir --log --proxy "
           "--retries --timeout --exists-action --cert --client-cert --only-binary --no-binary -d "
           "--dest --python --index --default-index -p --with --from --group --extra --package "
           "--directory --project --spec --pip-args --suffix -w --wheel-dir --with-editable --with-requirements",
    "npm": "--registry --prefix -w --workspace --tag --access --otp --cache --userconfig --omit "
           "--include --cwd --modules-folder -C --dir --filter -p --package",
    "cargo": "--git --branch --tag --rev --path --registry --index --version --vers --root --features "
             "-F --target -j --jobs --profile --bin --example --manifest-path --token",
    "go": "-o -tags -ldflags -gcflags -mod -modfile -p",
    "gem": "--source -s -v --version -i --install-dir -n --bindir -P --key --host",
    "twine": "-r --repository --repository-url -u -p --username --password --sign-with -i "
             "--identity -c --comment --config-file --cert --client-cert",
    "poetry": "--source -G --group -E --extras --python -C --directory -r --repository -u -p "
              "--username --password",
    "conda": "-c --channel -n --name -p --prefix --file",
    "apt": "-o -t --target-release",
}
FAMILY = {"pip": "pip", "uv": "pip", "pipx": "pip", "npm": "npm", "yarn": "npm", "pnpm": "npm",
          "bun": "npm", "cargo": "cargo", "go": "go", "gem": "gem", "twine": "twine",
          "poetry": "poetry", "conda": "conda", "apt": "apt"}
DEFAULT_INDEXES = {"https://pypi.org/simple", "https://pypi.python.org/simple", "https://pypi.org/pypi",
                   "https://registry.npmjs.org", "https://registry.yarnpkg.com", "https://rubygems.org",
                   "crates-io", "sparse+https://index.crates.io", "https://upload.pypi.org/legacy",
                   "pypi"}
INDEX_OPTS = ("i", "index-url", "extra-index-url", "index", "default-index", "registry", "source", "s",
              "repository-url", "c", "channel", "repository", "r")
_VCS = r"^(git\+|hg\+|svn\+|bzr\+|git://|github:|gitlab:|bitbucket:|gist:|git@)"
_ARCHIVE = r"(?i)\.(whl|tar\.gz|tgz|zip|tar\.bz2|gem|crate)$"


MANAGER_OF = {"npx": "npm", "pnpx": "pnpm", "bunx": "bun", "uvx": "uv", "yarnpkg": "yarn", "mamba": "conda",
              "micromamba": "conda", "apt-get": "apt", "dnf": "apt", "yum": "apt", "apk": "apt", "brew": "apt",
              "zypper": "apt"}


def manager_of(program: str) -> str:
    """The manager a program name belongs to (``pip3.11`` -> ``pip``, ``npx`` -> ``npm``)."""
    if program.startswith("pip") and not program[3:].strip("0123456789."):  # pip, pip3, pip3.11
        return "pip"
    return MANAGER_OF.get(program, program)


def handles(program: str) -> bool:
    """True when ``program`` is a package manager this module knows."""
    return manager_of(program) in FAMILY or program in ("dnf", "yum", "apk", "brew", "zypper",
                                                         "apt-get", "npx", "pnpx", "bunx", "uvx")


def run(an: Analysis, cmd: Cmd, program: str, args: list[Word] | None = None) -> None:
    """Record the package actions of ``program args`` (args default to the command's words)."""
    manager = manager_of(program)
    words = list(cmd.words[1:] if args is None else args)
    family = FAMILY.get(manager, "apt")
    op: str | None
    if manager == "poetry":
        from vectimus.analyser.programs import poe_poetry  # the tasks poe's poetry plugin runs for it

        poe_poetry.run(an, cmd, words)
    if program in ("npx", "pnpx", "bunx", "uvx"):
        op = RUN
        _runner(an, cmd, program, words)
    else:
        uv_tool = manager == "uv" and bool(words) and words[0].text == "tool"
        if manager == "uv" and words and words[0].text == "venv":
            from vectimus.analyser.programs import venvs

            venvs.made(an, cmd, program, words[1:], uv=True)
            return
        if manager == "uv" and words and words[0].text in ("pip", "tool"):
            words = words[1:]
        head = argv.parse(words, argv.opts(VALUE_OPTS[family]), stop_at_operand=True)
        if not head.operands:
            if manager in ("yarn", "bun") and not words:
                op = INSTALL
            else:
                return
        else:
            sub = head.operands[0].text
            if manager in ("uv", "poetry") and sub in ("sync", "run", "build", "install"):
                from vectimus.analyser.programs import project_builds  # the project itself is built

                project_builds.builds(an, cmd, manager, words)
            if family == "pip" and (sub in ("compile", "sync", "lock") or manager == "uv" and sub == "install"):
                from vectimus.analyser.programs import python_resolvers  # what they resolve is built

                python_resolvers.resolves(an, cmd, sub, words, head.operands[0], argv.opts(VALUE_OPTS[family]))
                if sub in ("compile", "lock"):
                    return
            if manager == "yarn" and sub == "npm" and len(head.operands) > 1:
                sub = head.operands[1].text
            op = OPS.get(sub) if not (manager == "go" and sub not in ("install", "get")) else None
            if op == RUN and not (manager in ("npm", "pnpm", "yarn", "bun") and sub != "run"
                                  or manager == "pipx" or uv_tool):
                op = None   # `npm run`, `cargo run`, `uv run`: a project script, not a package
            if op is None:
                return
            at = next(i for i, w in enumerate(words) if w is head.operands[0])
            if manager in ("npm", "pnpm", "yarn", "bun") and sub in ("exec", "x", "dlx"):
                _runner(an, cmd, program, words[at + 1:])  # what it runs (`npm exec -- sh -c …`)
            words = words[:at] + words[at + 1:]
    if op is None:
        return
    p = argv.parse(words, argv.opts(VALUE_OPTS[family]))
    if op == PUBLISH and p.has("dry-run"):
        return  # npm publish --dry-run, cargo publish --dry-run: packs and checks, publishes nothing
    specs = [w for w in p.operands]
    if op == RUN:
        specs = specs[:1] + [Word(t, w.dynamic) for w in p.all("p", "package", "with", "with-editable", "from", "spec")
                             for t in (w.text.split(",") if family == "pip" else (w.text,))]  # (--with a,./b)
    if op == PUBLISH and family in ("twine",):
        for word in specs:
            an.file("file_read", word, cmd, program=program)
    for word in p.all("r", "requirement", "c", "constraint", "file") if family in ("pip", "conda") else []:
        an.file("file_read", word, cmd, program=program)
    editable = p.all("e", "editable") if family == "pip" else []
    if family == "pip" and op == INSTALL and p.value("t", "target", "prefix", "root") is not None:
        from vectimus.analyser.programs import venvs

        venvs.install_dirs(an, cmd, program, p)
    index = next((w for name, w in reversed(p.values) if name in INDEX_OPTS and _is_index(name, family, w)),
                 None)
    index_text = index.text.rstrip("/") if index is not None else ""
    if index_text in DEFAULT_INDEXES:
        index_text = ""
    if index is not None and index_text and (is_url(index_text) or "." in index_text):
        remote(an, cmd, program, Word(index_text, index.dynamic), sends_data=op == PUBLISH)
    git = p.value("git") if family == "cargo" else None
    path = p.value("path") if family == "cargo" else None
    entries = [(w, "") for w in specs] + [(w, "path" if not re.match(_VCS, w.text) and not is_url(w.text)
                                           else "") for w in editable]
    if family == "pip" and op == INSTALL:
        for word in p.all("r", "requirement"):  # what the file lists, as if given here
            from vectimus.analyser.programs import requirements

            entries += requirements.specs(an, cmd, word)
    if git is not None:
        entries = [(git, "vcs")]
        remote(an, cmd, program, _vcs_url(git.text, git.dynamic))
    elif path is not None:
        entries = [(path, "path")]
    if not entries:
        _add(an, cmd, manager, op, (), "index" if index_text else "registry", index_text, program)
        return
    for word, forced in entries:
        source = forced or _source(word.text, family)
        if source in ("url", "vcs"):
            remote(an, cmd, program, _vcs_url(word.text, word.dynamic), sends_data=op == PUBLISH)
        elif source == "registry" and index_text:
            source = "index"
        _add(an, cmd, manager, op, (_name(an, cmd, word, family, source),), source, index_text, program,
             word.dynamic, label=word.text)
        if source == "path" and (op == INSTALL or op == RUN and family == "pip") and not word.dynamic:
            from vectimus.analyser.programs import project_builds

            project_builds.local_build(an, cmd, word, family)


def _name(an: Analysis, cmd: Cmd, word: Word, family: str, source: str) -> str:
    """The name of the Python package a pip-style spec installs, normalised (``Vectimus_Claude[x]>=1``
    -> ``vectimus-claude``; ``…#egg=name``; a wheel's or sdist's file name; a local project's
    ``pyproject.toml``); other managers' specs as given."""
    text = word.text
    if family not in ("pip", "poetry") or word.dynamic:
        return text
    egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", text)
    if egg:
        name = egg.group(1)
    elif re.search(_ARCHIVE, text):
        name = re.sub(_ARCHIVE, "", text.rsplit("/", 1)[-1]).split("-")[0]
    elif source == "path" or text.startswith((".", "/", "~")):
        from vectimus.analyser.programs import requirements

        name = requirements.project_name(an, cmd, word.text)
        if not name:
            return text  # a directory whose name is not declared: as given
    else:
        found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", text)
        name = found.group(0) if found else text
    return re.sub(r"[-_.]+", "-", name).lower()


# Packages that run code given on their command line (``npx tsx -e '…'``): that code is analysed.
CODE_RUNNERS = {"tsx", "ts-node", "ts-node-esm", "node", "deno", "bun"}
# ... and packages that run commands from the project's configuration (``npx lint-staged``).
CONFIG_RUNNERS = {"lint-staged", "lefthook"}
# ... and packages that serve a directory's files (``npx http-server DIR``: ``programs.servers``).
SERVERS = {"http-server", "serve", "live-server"}
# ... and monorepo runners that start each workspace's scripts (``npx turbo run build``: ``programs.js_monorepo``).
MONOREPO_RUNNERS = {"lerna", "nx", "turbo"}
# ... and the packages whose program runs a command with a file's values loaded (``dotenv``'s peel).
ENV_LOADERS = {"dotenv-cli": "dotenv", "dotenv": "dotenv"}


def _runner(an: Analysis, cmd: Cmd, program: str, words: list[Word]) -> None:
    """``npx tsx -e CODE …``, ``npx lint-staged``: the runner's own command line, dispatched as a command."""
    head = argv.parse(words, argv.opts(VALUE_OPTS["npm"] + " -c --call"), stop_at_operand=True)
    for text in head.all("c", "call"):  # npx -c 'cmd', npm exec --call=…: shell text
        an.shell(text, cmd, f"{program} -c")
    if not head.operands:
        return
    first = head.operands[0]
    name = first.text.rsplit("@", 1)[0] if first.text.count("@") and not first.text.startswith("@") else first.text
    at = next(i for i, w in enumerate(words) if w is first)
    from vectimus.analyser import runs

    if not first.dynamic and runs.interpreter_language(name) and program != "uvx":
        # a shell or interpreter on PATH runs as itself (`npx sh -c …`, `bunx node -e …`)
        an.dispatch(cmd.with_words([Word(name), *words[at + 1:]], via=program))
    elif name in (*CODE_RUNNERS, *CONFIG_RUNNERS, *SERVERS, *MONOREPO_RUNNERS, *ENV_LOADERS) and not first.dynamic:
        an.dispatch(cmd.with_words([Word(ENV_LOADERS.get(name, name)), *words[at + 1:]], via=program))
    elif program != "uvx" and not cmd.scope.cwd_dynamic:
        from vectimus.analyser import loaded

        loaded.exec_bin(an, cmd.with_words(cmd.words, via=program), [Word(name), *words[at + 1:]])
        from vectimus.analyser.programs import config_code

        if name in config_code.TOOLS:  # (`npx eslint .`: also the configuration that is code it loads)
            config_code.run(an, cmd.with_words([Word(name), *words[at + 1:]], via=program), name)


def _is_index(name: str, family: str, word: Word) -> bool:
    if name in ("r", "repository"):
        return family in ("twine", "poetry") and (is_url(word.text) or word.text not in ("pypi",))
    if name in ("c", "channel"):
        return family == "conda"
    if name in ("s",):
        return family == "gem"
    return True


def _source(spec: str, family: str) -> str:
    """registry | url | vcs | path for one package spec."""
    if re.match(_VCS, spec) or re.match(r"^https?://[^ ]*\.git(@|#|$)", spec) or "@git+" in spec \
            or " @ git+" in spec:
        return "vcs"
    if family in ("pip", "poetry") and re.search(r"(^|@\s*)file:", spec):
        return "path"  # a local project's URL, also as a PEP 508 direct reference (`app @ file:///src/app`)
    if is_url(spec) or " @ http" in spec or "@http" in spec:
        return "url"
    if spec.startswith(("./", "../", "/", "~", "file:", ".")) or (re.search(_ARCHIVE, spec) and "/" in spec):
        return "path"
    if family == "npm" and re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(#.*)?", spec):
        return "vcs"  # github shorthand user/repo
    if family == "go" and spec.startswith("."):
        return "path"
    if family in ("pip", "poetry") and "/" in spec and not re.match(r"[A-Za-z0-9._-]+\s*@", spec):
        return "path"  # pip reads a spec with a slash as a directory or archive (`pip install vendor/x`)
    return "registry"


def _vcs_url(spec: str, dynamic: bool) -> Word:
    text = spec
    for sep in (" @ ", "@git+", "@http"):
        if sep in text:
            text = text.split(sep, 1)[1] if sep == " @ " else text[text.index(sep) + 1:]
    text = re.sub(r"^(git|hg|svn|bzr)\+", "", text)
    m = re.match(r"^(github|gitlab|bitbucket):(.*)$", text)
    if m:
        text = f"https://{m.group(1)}.{'org' if m.group(1) == 'bitbucket' else 'com'}/{m.group(2)}"
    elif re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(#.*)?", text):
        text = "https://github.com/" + text
    return Word(text, dynamic)


def _add(an: Analysis, cmd: Cmd, manager: str, op: str, names: tuple[str, ...], source: str,
         index: str, program: str, dynamic: bool = False, label: str = "") -> None:
    facts = PackageFacts(manager=manager, op=op, names=names, source=source, index=index)
    an.add(Action(kind="package", resource=f"{manager}:{label or (names[0] if names else '')}", program=program,
                  pkg=facts, via=cmd.via, raw=cmd.raw, dynamic=dynamic))
