"""git: ``-C`` moves it; clone/fetch/pull/push reach the network; rm/clean/apply/config touch files.

Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser import argv, runs, writes
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import env, net
from vectimus.analyser.programs import files, git_programs
from vectimus.analyser.subcommands import SUBCOMMAND_TOOLS
from vectimus import world

GIT_NETWORK = {"clone", "fetch", "pull", "push", "ls-remote", "archive"}


def run(an: Analysis, cmd: Cmd, name: str) -> bool | None:
    """git: ``-C`` moves it; clone/fetch/pull/push with URLs reach the network; rm/clean/apply touch files."""
    takes = SUBCOMMAND_TOOLS["git"]
    head = argv.parse(cmd.words[1:], takes, stop_at_operand=True)
    cmd = cmd.moved(head.all("C"))
    if not head.operands:
        return None
    sub = head.operands[0].text
    rest = head.operands[1:]
    from vectimus.analyser.programs import githooks

    dynamic = githooks.run(an, cmd, head, sub, rest)
    p = argv.parse(rest, argv.opts("-m --message -b --branch -o --origin --depth -c --config "
                                   "--reference --separate-git-dir -u --upload-pack --receive-pack "
                                   "--exec --template --directory -p -F --file --format --prefix"))
    ops = p.operands
    if sub == "remote" and len(ops) >= 3 and ops[0].text in ("add", "set-url"):
        an.remotes[ops[1].text] = ops[2].text  # a push to it later in this call goes somewhere new
    if sub == "push" and ops and ops[0].text in an.remotes:
        net.remote(an, cmd, "git", Word(an.remotes[ops[0].text], ops[0].dynamic), sends_data=True,
                   channel="new-remote")
    elif sub in GIT_NETWORK or (sub in ("remote", "submodule") and ops and ops[0].text in ("add", "set-url")):
        candidates = ops[:1] if sub == "push" else ops  # after the repository come refspecs (main:main)
        urls = [w for w in candidates if net.looks_remote(w.text) or w.text.startswith(("/", "file://"))
                and sub == "clone"]
        for word in urls:
            if net.looks_remote(word.text):
                net.remote(an, cmd, "git", word, sends_data=sub == "push",
                           channel="new-remote" if sub == "push" else "")
        if sub == "clone" and ops:
            url = ops[0].text
            dest = ops[1] if len(ops) > 1 else Word(re.sub(r"\.git$", "", url.rstrip("/").rpartition("/")[2]
                                                           .rpartition(":")[2]) or ".", ops[0].dynamic)
            an.file("file_write", dest, cmd, program="git")
    elif sub == "rm" and not p.has("cached", "n", "dry-run"):
        flags = ("r",) if p.has("r") else ()
        for word in ops:
            an.file("file_delete", word, cmd, (*flags, *(f for f in p.flags if f != "r")), program="git")
    elif sub == "clean" and not p.has("n", "dry-run"):
        for word in ops or [Word(".")]:
            an.file("file_delete", word, cmd, tuple(p.flags), program="git")
    elif sub == "stash" and p.has("a", "all") and (not ops or ops[0].text in ("push", "save")):
        for path in an.protected_inside(an.places.project):  # ignored files go too: the hook settings among them
            an.file("file_delete", Word(path), cmd, ("stash",), program="git")
    elif sub in ("apply", "am") and not p.has("check", "stat", "numstat", "summary"):
        for word in ops:
            an.file("file_read", word, cmd, program="git")
        an.file("file_write", p.value("directory") or Word("."), cmd, program="git")
        if sub == "apply" and not p.has("cached"):  # the files the patches name
            from vectimus.analyser.programs import tree_writes

            strip = p.value("p")
            patches: list[Word | None] = list(ops) or [None]  # (none: the patch on its input)
            for patch_file in patches:
                tree_writes.patched(an, cmd, "git", tree_writes.patch_text(an, cmd, patch_file),
                                    int(strip.text) if strip is not None and strip.text.isdigit() else 1,
                                    p.value("directory"))
    elif sub in ("add", "stage") and not p.has("n", "dry-run"):
        for word in ops:  # staged content leaves with the next push: .env forced in is a read of it
            an.file("file_read", word, cmd, program="git")
    elif sub in ("mv",):
        files.copy(an, cmd.with_words([Word("mv"), *rest]), "mv")
    elif sub == "config" and not p.has("l", "list", "get", "get-all", "get-regexp", "show-origin"):
        # hooks, aliases and core.sshCommand run code: a config write is a file write
        scope_file = (p.value("file") or (Word("~/.gitconfig") if p.has("global") else
                      Word("/etc/gitconfig") if p.has("system") else Word(".git/config")))
        if len(ops) >= 2 or p.has("unset", "unset-all", "add", "replace-all"):
            an.file("file_write", scope_file, cmd, program="git")
        if len(ops) >= 2 and not ops[0].dynamic:  # the setting's code runs later: judge it now
            target = an.target(scope_file, cmd.scope).path
            writes.later(an, cmd, target, lambda code_cmd: githooks.deferred_setting(
                an, code_cmd, ops[0].text, ops[1].text, runs.display(an, target)))
    return dynamic


# Settings that make git run another program, or send what it fetches and pushes somewhere else.
CODE_SETTINGS = {"core.sshcommand", "core.hookspath", "core.fsmonitor", "core.pager", "core.editor",
                 "core.askpass", "credential.helper", "diff.external", "sequence.editor", "gpg.program",
                 "uploadpack.packobjectshook", "protocol.ext.allow", "core.gitproxy"}
# (compiled through re's cache when a command names a GIT_ variable)
# (GIT_EDITOR, GIT_SEQUENCE_EDITOR, GIT_EXTERNAL_DIFF and GIT_PAGER are not among them: what they name is
# read by ``githooks`` as the command git runs, so `GIT_EDITOR=true git rebase --continue` is ordinary)
_CODE_ENV = (r"(?:^|[\s;&|(])(?:export\s+)?(GIT_(?:SSH_COMMAND|SSH|ASKPASS|EXEC_PATH|PROXY_COMMAND|"
             r"CONFIG_PARAMETERS|CONFIG_COUNT))=")


def _code_env(cmd: Cmd, names: list[str]) -> bool:
    """Whether one of the variables ``names`` makes git run other code (a ``GIT_SSH_COMMAND`` that
    runs ssh with a key or a port does not: ``git_programs``)."""
    for name in names:
        word = env.value(cmd, name) if name == "GIT_SSH_COMMAND" else None
        if word is None or word.dynamic or not git_programs.plain(name, word.text):
            return True
    return False


# Set with ``-c`` for one command, these make git run code that ``githooks`` reads and judges as
# part of the call (the hooks in that directory, the alias's shell code, the editor, pager or diff
# program): not code nobody read.
SEEN_THROUGH = ("core.hookspath", "alias.", "core.editor", "sequence.editor", "core.pager", "pager.",
                "diff.external")


def _runs_code(setting: str, option: str = "c", dynamic: bool = False) -> bool:
    key, _, value = setting.partition("=")
    key = key.lower()
    if key == "include.path" or (key.startswith("includeif.") and key.endswith(".path")):
        return option != "c" or dynamic  # -c's file is read (``gitconfig.load_config``); another's is not
    if option == "c" and key.startswith(SEEN_THROUGH):
        return False
    if key in git_programs.NAMED and git_programs.plain(key, value):
        return False  # ssh with a key, less -FRX, code --wait: the program named, nothing else
    return key in CODE_SETTINGS or (key.startswith("url.") and key.endswith(("insteadof", "pushinsteadof"))) \
        or (key.startswith("alias.") and value.lstrip("'\"").startswith("!")) or key.startswith("credential.")


# Sub-commands that fire the repository's checks, and the variables that switch its hook managers'
# checks off (husky, pre-commit's SKIP, lefthook, simple-git-hooks).
HOOKED = ("commit", "push", "merge", "am", "rebase", "cherry-pick", "revert", "pull")
SKIP_ENV = ("HUSKY", "HUSKY_SKIP_HOOKS", "SKIP", "LEFTHOOK", "LEFTHOOK_EXCLUDE", "SKIP_SIMPLE_GIT_HOOKS",
            "PRE_COMMIT_ALLOW_NO_CONFIG")


def _env_skips(name: str, word: Word | None) -> bool:
    if word is None:
        return False
    if name in ("HUSKY", "LEFTHOOK"):
        return word.dynamic or word.text in ("0", "false")
    return word.dynamic or bool(word.text)


def _skips_hooks(an: Analysis, cmd: Cmd, head) -> bool:
    """``-c core.hooksPath=`` naming no directory of hooks (``/dev/null``, an empty one) in a
    repository that has hooks: they are skipped (a directory holding hooks is read, and judged)."""
    values = [w for w in head.all("c") if w.text.partition("=")[0].lower() == "core.hookspath"]
    if not values:
        return False
    from vectimus.analyser.programs import gitconfig

    dirs = gitconfig.git_dirs(an, cmd, head.value("git-dir"))
    if dirs is None:
        return False
    configured = gitconfig.load_config(an, cmd, argv.parse([]), dirs[2]).get("core.hookspath")
    own = an.target(Word(configured), cmd.scope).path if configured else f"{dirs[2]}/hooks"
    if not _hooks_in(own):
        return False  # nothing of the repository's to skip
    word = values[-1]
    return word.dynamic or not _hooks_in(an.target(Word(word.text.partition("=")[2]), cmd.scope).path)


def _hooks_in(folder: str) -> bool:
    """Whether ``folder`` holds a hook git would run (an executable file, not a ``.sample``)."""
    try:
        return any(e.is_file() and not e.name.endswith(".sample") and world.executable(e.path)
                   for e in world.scandir(folder))
    except (OSError, ValueError):
        return False


# git config's options that take a value, and the spellings that only read (``--get``, ``get``, a key alone)
_CONFIG_OPTS = argv.opts("-f --file --blob --type -t --default --comment --value")
_CONFIG_READS = ("l", "list", "get", "get-all", "get-regexp", "get-urlmatch", "show-origin", "show-scope",
                 "name-only", "get-color", "get-colorbool", "e", "edit")
_CONFIG_WRITES = ("add", "replace-all", "unset", "unset-all")


def _config_set(rest: list[Word]) -> str:
    """``key=value`` that ``git config`` arguments set or unset (``set``/``unset`` verbs of git 2.46
    too); ``""`` for a read (``git config core.pager``, ``--get``, ``--list``)."""
    p = argv.parse(rest, _CONFIG_OPTS)
    ops = [w.text for w in p.operands]
    if ops and ops[0] in ("set", "unset"):
        return f"{ops[1]}={ops[2] if len(ops) > 2 else ''}" if len(ops) > 1 else ""
    if p.has(*_CONFIG_READS) or not ops or ops[0] in ("get", "list") or \
            (len(ops) < 2 and not p.has(*_CONFIG_WRITES)):
        return ""
    return f"{ops[0]}={ops[1] if len(ops) > 1 else ''}"


def risk(an: Analysis, cmd: Cmd) -> str:
    """``git-code`` when git is made to run another program or fetch from elsewhere (``-c core.sshCommand``,
    ``GIT_SSH_COMMAND``, ``url.<x>.insteadOf``); ``remote-delete`` for a push deleting remote refs."""
    head = argv.parse(cmd.words[1:], SUBCOMMAND_TOOLS["git"], stop_at_operand=True)
    if any(_runs_code(w.text, "c", w.dynamic) for w in head.all("c")) or any(_runs_code(w.text, "config-env")
                                                              for w in head.all("config-env")) \
            or "GIT_" in cmd.raw and _code_env(cmd, re.findall(_CODE_ENV, cmd.raw)) or _code_env(
            cmd, [k for k in cmd.scope.vars if k.startswith("GIT_") and re.search(_CODE_ENV, " " + k + "=")]):
        return "git-code"
    if not head.operands:
        return ""
    sub, rest = head.operands[0].text, head.operands[1:]
    if sub in HOOKED and (_skips_hooks(an, cmd, head) or any(
            _env_skips(name, env.value(cmd, name)) for name in SKIP_ENV)):
        return "git-code"  # the repository's hooks do not run: what --no-verify does
    setting = _config_set(rest) if sub == "config" else ""
    if setting and not setting.lower().startswith("alias.") and _runs_code(setting, "config"):
        return "git-code"  # (an alias's shell code is judged when it is written: githooks.deferred_setting)
    if sub == "branch":
        return _deletes_only_merged(an, cmd, head, rest)
    if sub == "push":
        p = argv.parse(rest, argv.opts("-o --push-option --receive-pack --exec --repo"))
        refs = p.operands[1:]
        if p.has("d", "delete", "prune") or any(w.text.startswith(":") and len(w.text) > 1 for w in refs):
            return "remote-delete"
    return ""


def _deletes_only_merged(an: Analysis, cmd: Cmd, head, rest: list[Word]) -> str:
    """``merged`` for ``git branch -D`` of branches holding no work of their own (``git_merged``)."""
    p = argv.parse(rest, argv.opts("--color --column --sort --points-at --format --contains --no-contains "
                                   "--merged --no-merged -u --set-upstream-to"))
    forced = p.has("D") or (p.has("d", "delete") and p.has("f", "force"))
    if not forced or head.all("C") or head.all("git-dir") or head.all("work-tree") or p.has("r", "remotes", "a", "all") \
            or any(w.dynamic for w in p.operands):
        return ""
    from vectimus.analyser.programs import git_merged

    return "merged" if git_merged.holds_no_work(an, cmd, [w.text for w in p.operands], len(an.actions)) else ""


HANDLERS = {"git": run}
