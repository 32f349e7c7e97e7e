"""What else a git command runs: hooks, ``!`` aliases and commands named in git's configuration.

``run`` reads the configuration git would use (``~/.gitconfig``, the repository's ``.git/config``
and what they include, ``GIT_CONFIG_*`` variables, ``-c name=value``) and analyses, as part of the
call, whatever the sub-command makes git run: an alias (``!`` aliases as shell code, others
expanded into the git command they stand for), the hooks it fires from ``core.hooksPath`` or
``.git/hooks`` (and the pre-commit framework's local hooks behind them), ``core.fsmonitor``,
``core.sshCommand``, ``credential.helper``, the editor a commit opens, ``diff.external``,
``gpg.program``, an external ``git-<name>`` found through ``GIT_EXEC_PATH``, and the commands a
sub-command's arguments name (``submodule foreach``, ``bisect run``, ``rebase --exec``,
``filter-branch`` filters, ``difftool -x``) or its ``--tool`` is configured with.
Standard library only (PyYAML for ``.pre-commit-config.yaml``, imported when one is read).
"""

from __future__ import annotations

import os

from vectimus.analyser import argv, loaded, runs
from vectimus.analyser.programs.gitconfig import Config, git_dirs, load_config
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus import world

# git's own commands: an alias with one of these names is ignored.
BUILTINS = frozenset((
    "add", "am", "annotate", "apply", "archive", "bisect", "blame", "branch", "bundle", "cat-file",
    "check-attr", "check-ignore", "check-mailmap", "check-ref-format", "checkout", "checkout-index",
    "cherry", "cherry-pick", "citool", "clean", "clone", "column", "commit", "commit-graph", "commit-tree",
    "config", "count-objects", "credential", "describe", "diff", "diff-files", "diff-index", "diff-tree",
    "difftool", "fast-export", "fast-import", "fetch", "fetch-pack", "filter-branch", "fmt-merge-msg",
    "for-each-ref", "for-each-repo", "format-patch", "fsck", "fsmonitor--daemon", "gc", "grep", "hash-object",
    "help", "hook", "http-backend", "index-pack", "init", "instaweb", "interpret-trailers", "log", "ls-files",
    "ls-remote", "ls-tree", "mailinfo", "mailsplit", "maintenance", "merge", "merge-base", "merge-file",
    "merge-index", "merge-tree", "mergetool", "mktag", "mktree", "multi-pack-index", "mv", "name-rev",
    "notes", "pack-objects", "pack-refs", "patch-id", "prune", "prune-packed", "pull", "push", "range-diff",
    "read-tree", "rebase", "receive-pack", "reflog", "remote", "repack", "replace", "request-pull", "rerere",
    "reset", "restore", "rev-list", "rev-parse", "revert", "rm", "send-email", "send-pack", "shortlog",
    "show", "show-branch", "show-index", "show-ref", "sparse-checkout", "stage", "stash", "status",
    "stripspace", "submodule", "switch", "symbolic-ref", "tag", "unpack-file", "unpack-objects",
    "update-index", "update-ref", "update-server-info", "upload-archive", "upload-pack", "var",
    "verify-commit", "verify-pack", "verify-tag", "version", "whatchanged", "worktree", "write-tree",
    "gui", "gitk", "scalar", "replay", "diagnose", "bugreport",
))
REF_UPDATES = ("commit", "merge", "pull", "fetch", "checkout", "switch", "reset", "branch", "tag", "rebase",
               "am", "cherry-pick", "revert", "stash", "update-ref", "push", "clone", "worktree")
HOOKS = {
    "commit": ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "post-rewrite", "pre-auto-gc"),
    "merge": ("pre-merge-commit", "prepare-commit-msg", "commit-msg", "post-merge"),
    "pull": ("pre-merge-commit", "prepare-commit-msg", "commit-msg", "post-merge", "pre-rebase",
             "post-rewrite", "post-checkout"),
    "push": ("pre-push",),
    "checkout": ("post-checkout",), "switch": ("post-checkout",), "worktree": ("post-checkout",),
    "clone": ("post-checkout",),
    "rebase": ("pre-rebase", "post-rewrite", "post-checkout", "prepare-commit-msg", "commit-msg"),
    "am": ("applypatch-msg", "pre-applypatch", "post-applypatch", "post-rewrite"),
    "cherry-pick": ("prepare-commit-msg", "commit-msg"), "revert": ("prepare-commit-msg", "commit-msg"),
    "gc": ("pre-auto-gc",), "maintenance": ("pre-auto-gc",),
}
SKIPPED_BY_NO_VERIFY = {"pre-commit", "commit-msg", "pre-merge-commit", "pre-push", "applypatch-msg"}
NETWORK = ("clone", "fetch", "pull", "push", "ls-remote", "archive", "submodule")
INDEX_READERS = ("status", "diff", "add", "commit", "stash", "checkout", "switch", "reset", "restore", "rm",
                 "mv", "merge", "pull", "rebase", "ls-files", "update-index", "clean")
MESSAGE_FLAGS = ("m", "message", "F", "file", "C", "reuse-message", "no-edit", "fixup")


# -- what runs ------------------------------------------------------------------------------

def run(an: Analysis, cmd: Cmd, head, sub: str, rest: list[Word]) -> bool:
    """What git runs besides itself for ``git <sub> <rest>``; True when it cannot be known."""
    dirs = git_dirs(an, cmd, head.value("git-dir"))
    config = load_config(an, cmd, head, dirs[2] if dirs else None)
    if sub not in BUILTINS:
        alias = config.get(f"alias.{sub}")
        if alias is not None:
            return _alias(an, cmd, sub, alias, rest)
        _external(an, cmd, sub, head, rest)
        return False
    p = argv.parse(rest, argv.opts("-m --message -F --file -C --reuse-message -c --reedit-message -S "
                                   "--template -b --branch -o --origin"))
    if dirs is not None or sub == "clone":
        for hook in _hooks(sub, p):
            _hook(an, cmd, config, dirs, hook, sub, p)
    fsmonitor = config.get("core.fsmonitor")
    if fsmonitor and sub in INDEX_READERS and fsmonitor.lower() not in ("true", "false", "yes", "no", "1", "0"):
        _command(an, cmd, fsmonitor, "core.fsmonitor", shell=False)
    if sub in NETWORK:
        ssh = config.get("core.sshcommand")
        if ssh:
            _command(an, cmd, ssh, "core.sshcommand")
        helper = config.get("credential.helper")
        if helper:
            _credential(an, cmd, helper)
    editor = _first(cmd, ("GIT_EDITOR", config.get("core.editor"), "VISUAL", "EDITOR"))
    if sub in ("commit", "merge", "tag", "rebase") and not any(p.has(f) or p.value(f) for f in MESSAGE_FLAGS) \
            and editor:
        _command(an, cmd, editor, "core.editor")
    sequence = _first(cmd, ("GIT_SEQUENCE_EDITOR", config.get("sequence.editor")))
    if sub == "rebase" and (p.has("i", "interactive") or sequence) and (sequence or editor):
        _command(an, cmd, sequence or editor, "sequence.editor")
    external, gpg = _first(cmd, ("GIT_EXTERNAL_DIFF", config.get("diff.external"))), config.get("gpg.program")
    if sub in ("diff", "log", "show") and external:
        _command(an, cmd, external, "diff.external", shell=False)
    for key, value in config.values.items():  # filter, diff and merge drivers, submodule update commands
        driven = DRIVEN.get(_driver(key, value))
        if driven is not None and sub in driven and value.lower() not in ("true", "false", ""):
            _command(an, cmd, value.removeprefix("!"), key)
    if sub in NETWORK:  # `git fetch --upload-pack=CMD ./local-repo` runs CMD here
        packs = argv.parse(rest, argv.opts("-u --upload-pack --receive-pack --exec"))
        for word in packs.all("u", "upload-pack", "receive-pack", "exec"):
            _command(an, cmd, word.text, "--upload-pack")
    _named_commands(an, cmd, sub, rest, config)
    pager = _first(cmd, ("GIT_PAGER", config.get(f"pager.{sub}") or config.get("core.pager"), "PAGER"))
    if sub in PAGED and pager and pager.lower() not in ("true", "false"):  # paged on a terminal
        _command(an, cmd, pager, "core.pager")
    if sub in ("commit", "tag", "merge") and gpg and (
            p.has("S", "gpg-sign", "s", "sign") or (config.get("commit.gpgsign") or "").lower() == "true"):
        _command(an, cmd, gpg, "gpg.program", shell=False)
    return False


FILTERS = ("--tree-filter", "--index-filter", "--msg-filter", "--env-filter", "--commit-filter",
           "--parent-filter", "--tag-name-filter")


def _named_commands(an: Analysis, cmd: Cmd, sub: str, rest: list[Word], config: Config) -> None:
    """Commands a sub-command runs from its arguments or the tool it names: ``submodule foreach``,
    ``bisect run``, ``rebase --exec``, ``filter-branch`` filters, ``difftool -x`` and the
    ``difftool``/``mergetool`` commands configured for ``--tool``."""
    texts = [w.text for w in rest]
    if sub == "submodule" and "foreach" in texts:
        words = [w for w in rest[texts.index("foreach") + 1:] if w.text not in ("--recursive", "-q", "--quiet")]
        _command(an, cmd, " ".join(w.text for w in words), "submodule foreach")
    elif sub == "bisect" and texts[:1] == ["run"] and len(rest) > 1:
        an.dispatch(cmd.with_words(rest[1:], via="git bisect run"))
    elif sub in ("rebase", "difftool", "filter-branch"):
        takes = "-x --exec" if sub == "rebase" else "-x --extcmd -t --tool" if sub == "difftool" else " ".join(FILTERS)
        p = argv.parse(rest, argv.opts(takes))
        for word in p.all("x", "exec", "extcmd", *(f.lstrip("-") for f in FILTERS)):
            _command(an, cmd, word.text, f"{sub} {'-x' if sub != 'filter-branch' else 'filter'}")
    if sub in ("difftool", "mergetool"):
        given = argv.parse(rest, argv.opts("-t --tool -x --extcmd --tool-cmd"))
        for word in given.all("tool-cmd"):  # mergetool --tool-cmd=CMD
            _command(an, cmd, word.text, f"{sub} --tool-cmd")
        tool = given.value("t", "tool")
        name = tool.text if tool is not None else config.get("diff.tool" if sub == "difftool" else "merge.tool")
        configured = config.get(f"{sub}.{name}.cmd") if name else None
        if configured:
            _command(an, cmd, configured, f"{sub}.{name}.cmd")


def _hooks(sub: str, p) -> list[str]:
    hooks = list(HOOKS.get(sub, ()))
    if sub == "commit" and not p.has("amend"):
        hooks.remove("post-rewrite")
    if p.has("no-verify") or (sub == "commit" and p.has("n")):
        hooks = [h for h in hooks if h not in SKIPPED_BY_NO_VERIFY]
    if sub in REF_UPDATES:
        hooks.append("reference-transaction")
    return hooks


def _hook(an: Analysis, cmd: Cmd, config: Config, dirs, hook: str, sub: str, p) -> None:
    """Analyse one hook git would run, when it is there and executable."""
    if sub == "clone":
        configured = config.get("init.templatedir")
        template = p.value("template") or (Word(configured) if configured else None)
        if template is None or template.dynamic:
            return
        folder = os.path.join(an.resolve(template, cmd.scope), "hooks")
    else:
        work_tree, _, common = dirs
        hooks_path = config.get("core.hookspath")
        if hooks_path:
            word = Word(hooks_path if hooks_path.startswith(("/", "~")) else os.path.join(work_tree, hooks_path))
            folder = an.resolve(word, cmd.scope)
        else:
            folder = os.path.join(common, "hooks")
    path = an.resolve(Word(os.path.join(folder, hook)), cmd.scope)
    if path not in an.pending and not world.executable(path):
        return
    before = len(an.actions)
    runs.run_file(an, cmd.with_words([Word(path)]), Word(path), label=f"{hook} hook ({runs.display(an, path)})")
    if len(an.actions) == before:
        return
    text, _ = runs.read(an, path)
    if text and ("pre-commit" in text or "pre_commit" in text) and "hook-impl" in text:
        precommit(an, cmd, hook)


def _alias(an: Analysis, cmd: Cmd, name: str, value: str, rest: list[Word]) -> bool:
    """``git <alias>``: a ``!`` alias is shell code run with the arguments; another is more git."""
    via = f"git alias {name}"
    if value.startswith("!"):
        an.shell(Word(value[1:] + (' "$@"' if rest else "")), cmd, via, positional=(Word(name), *rest))
        return False
    import shlex

    try:
        words = [Word(w) for w in shlex.split(value)]
    except ValueError:
        raise Unanalysable(f"git alias {name} that cannot be split into words") from None
    if not words or words[0].text == name:
        return False
    an.dispatch(cmd.with_words([Word("git"), *words, *rest], via=via))
    return False


def _external(an: Analysis, cmd: Cmd, sub: str, head, rest: list[Word]) -> None:
    """``git <name>`` that is no built-in: the program ``git-<name>`` from the exec path or PATH."""
    from vectimus.analyser.facts import env

    exec_path = head.value("exec-path") or env.value(cmd, "GIT_EXEC_PATH")
    program = f"git-{sub}"
    if exec_path is not None and not exec_path.dynamic:
        path = os.path.join(an.resolve(exec_path, cmd.scope), program)
        if world.exists(path) or path in an.pending:
            runs.run_file(an, cmd, Word(path), args=tuple(rest))
            return
    found = loaded.find_program(an, cmd, program)
    if found:
        runs.run_file(an, cmd, Word(found), args=tuple(rest))


PAGED = ("log", "diff", "show", "blame", "grep", "shortlog", "reflog", "whatchanged", "help", "branch", "tag")
# The commands that run each kind of configured driver (a driver applies to the files .gitattributes
# names; every configured one is read, as which files match is not worked out here).
FILTERED = ("add", "stage", "commit", "status", "diff", "stash", "checkout", "switch", "restore", "reset",
            "merge", "pull", "rebase", "cherry-pick", "revert", "am", "apply", "clone", "archive", "rm", "mv",
            "worktree")
DRIVEN = {"filter": FILTERED,
          "diff": ("diff", "log", "show", "blame", "grep", "format-patch", "whatchanged", "stash"),
          "merge": ("merge", "pull", "rebase", "cherry-pick", "revert", "am", "stash"),
          "submodule": ("submodule",)}


def _driver(key: str, value: str) -> str:
    """The kind of driver a configuration key sets (``filter.lfs.clean`` -> filter), or ""."""
    head, _, name = key.partition(".")
    last = name.rpartition(".")[2]
    if head == "filter" and last in ("clean", "smudge", "process"):
        return "filter"
    if head == "diff" and last in ("textconv", "command"):
        return "diff"
    if head == "merge" and last == "driver":
        return "merge"
    if head == "submodule" and last == "update" and value.startswith("!"):
        return "submodule"
    return ""


def _first(cmd: Cmd, sources: tuple[str | None, ...]) -> str:
    """The first of ``sources`` that is set: an upper-case name is the command's environment
    variable, anything else a configured value (git's order: GIT_EDITOR, core.editor, VISUAL, EDITOR;
    GIT_PAGER, core.pager, PAGER)."""
    from vectimus.analyser.facts import env

    for source in sources:
        if source and source.isupper() and "_" in source or source in ("VISUAL", "EDITOR", "PAGER"):
            word = env.value(cmd, source)
            if word is not None and (word.text or word.dynamic):
                return word.text if not word.dynamic else "${" + source + "}"
        elif source:
            return source
    return ""


def _command(an: Analysis, cmd: Cmd, value: str, key: str, shell: bool = True) -> None:
    """A command named in git's configuration: shell text git runs (or a program path)."""
    if shell:
        an.shell(Word(value), cmd, f"git {key}")
    else:
        words = value.split()
        if words and "/" in words[0]:
            runs.run_file(an, cmd, Word(words[0]), label=f"git {key} ({words[0]})")
        else:
            an.shell(Word(value), cmd, f"git {key}")


def _credential(an: Analysis, cmd: Cmd, helper: str) -> None:
    if helper.startswith("!"):
        an.shell(Word(helper[1:]), cmd, "git credential.helper")
    elif "/" in helper.split()[0] if helper.split() else False:
        runs.run_file(an, cmd, Word(helper.split()[0]), label="git credential.helper")


# -- the pre-commit framework ---------------------------------------------------------------

PRE_COMMIT_STAGES = {"pre-commit": "pre-commit", "commit-msg": "commit-msg", "pre-push": "pre-push",
                     "post-checkout": "post-checkout", "post-commit": "post-commit",
                     "post-merge": "post-merge", "prepare-commit-msg": "prepare-commit-msg",
                     "manual": "manual"}


def precommit(an: Analysis, cmd: Cmd, stage: str = "pre-commit") -> None:
    """The local hooks of ``.pre-commit-config.yaml`` that run at ``stage``."""
    path = an.resolve(Word(os.path.join(an.places.project, ".pre-commit-config.yaml")), cmd.scope)
    found = runs.source(an, cmd, path)
    if found is None:
        return
    text, label, mine = found
    try:
        hooks = local_hooks(text)
    except Unanalysable as exc:
        runs.unread(an, cmd, path, label, mine, str(exc))
        return
    for hook_id, stages, language, entry in hooks:
        if stages and stage not in stages and stage != "any":
            continue
        _local_hook(an, cmd, path, f"{label}:{hook_id}", mine, language, entry)


def _local_hook(an: Analysis, cmd: Cmd, path: str, name: str, mine: bool, language: str, entry: str) -> None:
    if language in ("system", "unsupported", "script", "unsupported_script"):
        if language.endswith("script"):
            script = entry.split()[0] if entry.split() else ""
            runs.run_file(an, cmd, Word(script), label=name)
        else:
            runs.analyse(an, cmd, entry, "shell", name, mine, path=path)
    elif language not in ("pygrep", "fail"):
        runs.unread(an, cmd, path, name, mine, f"a {language} hook built from the repository")


def local_hooks(text: str) -> list[tuple[str, tuple[str, ...], str, str]]:
    """(id, stages, language, entry) of every hook of a ``repo: local`` block."""
    data = runs.yaml_data(text, "a pre-commit config")
    out = []
    repos = data.get("repos") if isinstance(data, dict) else None
    for repo in repos if isinstance(repos, list) else []:
        if not isinstance(repo, dict) or repo.get("repo") not in ("local", "meta"):
            continue
        for hook in repo.get("hooks") or []:
            if isinstance(hook, dict) and isinstance(hook.get("entry"), str):
                stages = tuple(str(s).replace("commit", "pre-commit") if s == "commit" else str(s)
                               for s in hook.get("stages") or ())
                out.append((str(hook.get("id", "hook")), stages, str(hook.get("language", "system")),
                            hook["entry"]))
    return out


def pre_commit_command(an: Analysis, cmd: Cmd, name: str) -> None:
    """``pre-commit run [hook] [--all-files]``: the local hooks it runs."""
    p = argv.parse(cmd.words[1:], argv.opts("--hook-stage -c --config --from-ref --to-ref --files "
                                            "-s --source -o --origin"))
    if p.operands and p.operands[0].text in ("run", "try-repo"):
        stage = p.value("hook-stage")
        precommit(an, cmd, stage.text if stage is not None else "pre-commit")


# -- configuration being written ------------------------------------------------------------

CODE_KEYS = ("core.fsmonitor", "core.sshcommand", "core.editor", "sequence.editor", "core.pager",
             "core.askpass", "diff.external", "gpg.program", "credential.helper", "uploadpack.packobjectshook")


def deferred_setting(an: Analysis, cmd: Cmd, key: str, value: str, name: str) -> None:
    """A git setting that runs code later (a ``!`` alias, an editor, a helper): that code, analysed."""
    key = key.lower()
    if key.startswith("alias.") and value.startswith("!"):
        an.shell(Word(value[1:]), cmd, f"{name} {key}")
    elif key in CODE_KEYS or _driver(key, value):
        if value.lower() not in ("true", "false", "yes", "no", "1", "0", "") and not value.startswith("git-"):
            an.shell(Word(value.lstrip("!")), cmd, f"{name} {key}")
