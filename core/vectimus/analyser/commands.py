"""One simple command: peel its wrappers, record its exec action and what the program does.

Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser import argv, containers, files, interpreters, network, packages, shell
from vectimus.analyser.context import Analysis, Cmd, Input, Scope, Word, basename
from vectimus.analyser.wrappers import WRAPPERS
from vectimus.model import Action

MAX_PEEL = 32  # wrappers around one command
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")

SHELLS = {"bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "fish", "rbash", "yash", "tcsh", "csh"}
LOOKUPS = {"type", "which", "whereis", "hash", "man", "help", "info", "whatis", "apropos", "tldr"}
HELP_ARGS = {"--help", "--version", "-help", "-version"}
SOLE_HELP_ARGS = HELP_ARGS | {"-h", "-v", "-V"}
ENV_DUMPERS = {"printenv"}
LONG_SINGLE_DASH = {"find", "terraform", "tofu", "terragrunt", "java", "go"}

# Subcommand-style tools: the options that may come before the subcommand and take a value.
SUBCOMMAND_TOOLS = {name: argv.opts(spec) for name, spec in {
    "git": "-C -c --git-dir --work-tree --namespace --exec-path --config-env --super-prefix",
    "kubectl": "-n --namespace --context --kubeconfig -s --server --cluster --user --token --as "
               "--as-group --request-timeout -v --certificate-authority --client-certificate "
               "--client-key --cache-dir -l --selector -o --output",
    "oc": "-n --namespace --context --kubeconfig -s --server --cluster --user --token",
    "docker": "-H --host --context -c --config -l --log-level --tlscacert --tlscert --tlskey",
    "podman": "--url --connection -c --root --runroot --log-level --storage-driver",
    "nerdctl": "-n --namespace -H --address", "docker-compose": "-f --file -p --project-name",
    "helm": "-n --namespace --kube-context --kubeconfig --kube-apiserver --kube-token "
            "--registry-config --repository-config --repository-cache",
    "terraform": "", "tofu": "", "terragrunt": "", "pulumi": "-C --cwd -s --stack",
    "npm": "--prefix -C --dir --cwd -w --workspace --registry", "pnpm": "-C --dir --filter -w",
    "yarn": "--cwd", "bun": "--cwd", "npx": "-p --package", "pip": "--python --cache-dir --log --proxy",
    "pip3": "--python --cache-dir --log --proxy", "uv": "--directory --project --python -p --cache-dir",
    "poetry": "-C --directory", "pipx": "", "cargo": "-C --config -Z --manifest-path --color",
    "go": "-C", "gem": "", "conda": "-n --name -p --prefix", "brew": "", "apt": "-o -t -c",
    "apt-get": "-o -t -c", "dnf": "-c --config", "yum": "-c --config",
    "aws": "--profile --region --output --endpoint-url --query --cli-read-timeout "
           "--cli-connect-timeout --ca-bundle --color",
    "gcloud": "--project --account --configuration --verbosity --format "
              "--impersonate-service-account --billing-project --flags-file",
    "gsutil": "-o -h -u", "az": "--subscription -o --output --query",
    "systemctl": "-H --host -M --machine -t --type -p --property --state -n --lines -o --output "
                 "-s --signal --kill-whom --root --job-mode",
    "launchctl": "", "service": "", "vectimus": "", "gh": "-R --repo", "glab": "-R --repo",
    "heroku": "-a --app", "flyctl": "-a --app", "fly": "-a --app", "vercel": "--token --scope",
    "netlify": "", "firebase": "--project -P", "make": "-C --directory -f --file -j --jobs",
    "redis-cli": "-h -p -a -n -u", "dotnet": "", "mvn": "-f --file -P -D", "gradle": "",
    "svn": "", "hg": "-R --repository --cwd", "jj": "-R --repository", "supabase": "--workdir",
    "wrangler": "-c --config -e --env", "ollama": "", "llm": "", "claude": "", "codex": "",
    "cursor-agent": "", "gemini": "",
}.items()}


def dispatch(cmd: Cmd, an: Analysis) -> None:
    """Record the actions of one simple command (wrappers peeled, program handled)."""
    an.tick()
    for _ in range(MAX_PEEL):
        while len(cmd.words) > 1 and _ASSIGNMENT.match(cmd.words[0].text) and not cmd.words[0].dynamic:
            cmd = cmd.with_words(cmd.words[1:])  # `sudo VAR=1 rm …`: an assignment, not the program
        if not cmd.words:
            return
        head = cmd.words[0]
        name = basename(head.text).lower()
        if head.dynamic:
            break
        peel = WRAPPERS.get(name)
        if peel is None:
            break
        inner = peel(cmd, an, name)
        if inner is None:
            _exec(an, cmd, name, dynamic=False, at=None, skip_args=True)
            return
        if inner is False:
            break
        cmd = inner
    program_word = cmd.words[0]
    name = basename(program_word.text).lower()
    if "/" in program_word.text and not program_word.dynamic:
        cmd = cmd.with_words(cmd.words, program_path=program_word.text)
    if program_word.dynamic:
        _exec(an, cmd, name, dynamic=True)
        return
    at = len(an.actions)
    dynamic = False
    if not _lookup_only(cmd, name):
        dynamic = bool(_run(an, cmd, name))
    _exec(an, cmd, name, dynamic, at)


def _lookup_only(cmd: Cmd, name: str) -> bool:
    """True when the command only describes a program (``--help``, ``--version``, ``which x``)."""
    if name in LOOKUPS or name in WRAPPERS:
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
    if name in SHELLS:
        return _shell(an, cmd, name)
    if name == "eval":
        text = " ".join(w.text for w in cmd.words[1:])
        shell_string(an, cmd, Word(text, any(w.dynamic for w in cmd.words[1:])), "eval",
                     scope=cmd.scope)
        return any(w.dynamic for w in cmd.words[1:])
    if name in ENV_DUMPERS or (name in ("env", "set", "export", "declare", "typeset", "compgen")
                               and _dumps_env(name, cmd.words[1:])):
        environment_dump(an, cmd, record=False)
        return None
    if name == "git":
        _git(an, cmd)
        return None
    if name in ("source", "."):  # runs a file's code: unknown when the file is (<(curl …))
        files.read(an, cmd, name)
        return bool(cmd.words[1:2]) and cmd.words[1].dynamic
    handler = files.HANDLERS.get(name) or network.HANDLERS.get(name) or containers.HANDLERS.get(name)
    if handler is not None:
        handler(an, cmd, name)
        return None
    if name == "bun" and cmd.words[1:2] and cmd.words[1].text in packages.OPS:
        packages.run(an, cmd, name)
        return None
    if interpreters.language(name):
        return interpreters.run(an, cmd, name)
    if packages.handles(name):
        packages.run(an, cmd, name)
        return None
    return None


def _dumps_env(name: str, args) -> bool:
    texts = [w.text for w in args]
    if name in ("env", "set"):
        return not texts or all(t.startswith("-") for t in texts)
    if name == "compgen":
        return "-v" in texts or "-e" in texts
    return not texts or texts in (["-p"], ["-x"], ["-px"], ["-xp"])


def environment_dump(an: Analysis, cmd: Cmd, record: bool = True) -> None:
    """The command prints the environment: data downstream of it may carry secrets."""
    an.secret_reads += 1
    if record:
        _exec(an, cmd, basename(cmd.words[0].text), False)


def _exec(an: Analysis, cmd: Cmd, name: str, dynamic: bool, at: int | None = None,
          skip_args: bool = False) -> None:
    """Record the exec action of ``cmd`` (at position ``at`` so it precedes its side effects)."""
    words = cmd.words[:1] if skip_args else cmd.words
    program_word = words[0]
    takes = SUBCOMMAND_TOOLS.get(name)
    p = argv.parse(words[1:], takes or frozenset(), long_single_dash=name in LONG_SINGLE_DASH)
    subcommand = ""
    if takes is not None:
        head = argv.parse(words[1:], takes, stop_at_operand=True)
        ops = [w for w in head.operands if not (name == "cargo" and w.text.startswith("+"))]
        if ops:
            subcommand = ops[0].text
            dynamic = dynamic or ops[0].dynamic
    flags = files.canonical(name, p.flags)
    dynamic = dynamic or program_word.dynamic or any(w.dynamic for w in p.flag_words)
    target = an.target(Word(cmd.program_path), cmd.scope) if cmd.program_path else None
    action = Action(
        kind="exec", resource=name if not program_word.dynamic else program_word.text,
        program=name if not program_word.dynamic else program_word.text,
        program_path=cmd.program_path, subcommand=subcommand,
        args=tuple(w.text for w in p.operands), flags=flags, via=cmd.via, raw=cmd.raw,
        input=cmd.stdin.text or "", dynamic=dynamic, **({"target": target} if target is not None else {}))
    an.add(action)
    if at is not None and at < len(an.actions) - 1:
        an.actions.insert(at, an.actions.pop())


def shell_string(an: Analysis, cmd: Cmd, word: Word, via: str, *, positional=None,
                 scope: Scope | None = None, stdin: Input = Input()) -> None:
    """Analyse ``word`` as shell code run by ``cmd`` (``bash -c``, ``eval``, ``os.system`` …)."""
    if scope is None:
        scope = Scope(cmd.scope.places, {}, cmd.scope.cwd_dynamic, positional)
    shell.analyse_text(word.text, an, scope, (*cmd.via, via), cmd.depth + 1, stdin)


SHELL_VALUE = argv.opts("-o -O +O +o --rcfile --init-file")


def _shell(an: Analysis, cmd: Cmd, name: str) -> bool:
    """bash/sh/zsh …: ``-c`` text, a script, or code on stdin (a heredoc, a here-string, a pipe)."""
    p = argv.parse(cmd.words[1:], SHELL_VALUE, stop_at_operand=True)
    if p.has("c") and p.operands:
        code = p.operands[0]
        shell_string(an, cmd, code, f"{name} -c", positional=tuple(p.operands[1:]) or None)
        return code.dynamic
    if p.operands and not p.has("s"):
        an.file("file_read", p.operands[0], cmd, program=name)
        return p.operands[0].dynamic  # bash <(curl …)
    if cmd.stdin.text is not None:
        shell_string(an, cmd, Word(cmd.stdin.text), f"{name} <<" if cmd.stdin.kind == "text" else f"{name} <|")
        return False
    return cmd.stdin.kind in ("pipe", "file")


GIT_NETWORK = {"clone", "fetch", "pull", "push", "ls-remote", "archive"}


def _git(an: Analysis, cmd: Cmd) -> None:
    """git: ``-C`` moves it; clone/fetch/pull/push with URLs reach the network; rm/clean/apply touch files."""
    takes = SUBCOMMAND_TOOLS["git"]
    head = argv.parse(cmd.words[1:], takes, stop_at_operand=True)
    scope = cmd.scope
    for w in head.all("C"):
        scope = scope.child()
        scope.chdir(w)
    if scope is not cmd.scope:
        cmd = cmd.with_words(cmd.words, scope=scope)
    if not head.operands:
        return
    sub = head.operands[0].text
    rest = head.operands[1:]
    p = argv.parse(rest, argv.opts("-m --message -b --branch -o --origin --depth -c --config "
                                   "--reference --separate-git-dir -u --upload-pack --receive-pack "
                                   "--exec --template --directory -p -F --file --format --prefix"))
    ops = p.operands
    if sub in GIT_NETWORK or (sub in ("remote", "submodule") and ops and ops[0].text in ("add", "set-url")):
        urls = [w for w in ops if network.looks_remote(w.text) or w.text.startswith(("/", "file://"))
                and sub == "clone"]
        for word in urls:
            if network.looks_remote(word.text):
                network.remote(an, cmd, "git", word, sends_data=sub == "push")
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
    elif sub in ("apply", "am") and not p.has("check", "stat", "numstat", "summary"):
        for word in ops:
            an.file("file_read", word, cmd, program="git")
        an.file("file_write", p.value("directory") or Word("."), cmd, program="git")
    elif sub in ("mv",):
        files.copy(an, cmd.with_words([Word("mv"), *rest]), "mv")
    elif sub == "config" and not p.has("l", "list", "get", "get-all", "get-regexp", "show-origin"):
        # hooks, aliases and core.sshCommand run code: a config write is a file write
        scope_file = (p.value("file") or (Word("~/.gitconfig") if p.has("global") else
                      Word("/etc/gitconfig") if p.has("system") else Word(".git/config")))
        if len(ops) >= 2 or p.has("unset", "unset-all", "add", "replace-all"):
            an.file("file_write", scope_file, cmd, program="git")
