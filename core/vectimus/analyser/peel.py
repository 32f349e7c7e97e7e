"""Wrappers: programs that run another program (sudo, env, nice, timeout, xargs …).

Each peeler returns the command the wrapper runs (with the wrapper added to ``via``), ``None``
when it recorded everything itself, or ``False`` when this invocation runs nothing else (``env``
alone prints the environment; ``command -v`` only looks a name up).
Standard library only: used on the hot path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from vectimus.analyser import argv, xargs_input
from vectimus.analyser.context import MAX_WORDS, UNKNOWN, Analysis, Cmd, Word, basename
from vectimus.analyser.programs.shells import SHELLS
from vectimus.analyser.dotenv_peel import dotenv
from vectimus.analyser.sandbox_peel import bwrap

# What a wrapper runs: the inner command; None: nothing (the wrapper alone is the command); False:
# not used as a wrapper here (the program itself is handled).
Peeled = Cmd | None | Literal[False]


def _simple(spec: str, lead: int = 0) -> Callable[[Cmd, Analysis, str], Peeled]:
    """A wrapper ``name [options] [lead operands] command …``."""
    takes = argv.opts(spec)

    def peel(cmd: Cmd, an: Analysis, name: str) -> Peeled:
        p = argv.parse(cmd.words[1:], takes, stop_at_operand=True)
        ops = p.operands[lead:]
        if not ops:
            return False
        return cmd.with_words(ops, via=name)
    return peel


def sudo(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """sudo / doas / run0 / pkexec: options, then the command (``sudo -e`` edits files)."""
    p = argv.parse(cmd.words[1:], argv.opts(
        "-u --user -g --group -h --host -p --prompt -C --close-from -D --chdir -r --role -t --type "
        "-T --command-timeout -U --other-user"), stop_at_operand=True)
    if name == "sudoedit" or p.has("e", "edit"):
        for word in p.operands:
            an.file("file_write", word, cmd, program=name)
        return None
    if not p.operands:
        return False
    chdir = p.value("D", "chdir")
    if chdir is None:
        return cmd.with_words(p.operands, via=name)
    scope = cmd.scope.child()
    scope.chdir(chdir)
    return cmd.with_words(p.operands, via=name, scope=scope)


def env(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """env: options, ``NAME=value`` assignments, then the command; alone it dumps the environment."""
    words = list(cmd.words[1:])
    i = 0
    scope = cmd.scope
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text in ("-u", "--unset", "-C", "--chdir", "-P", "-S", "--split-string") and i + 1 < len(words):
            if text in ("-C", "--chdir"):
                scope = scope.child()
                scope.chdir(words[i + 1])
            if text in ("-S", "--split-string"):
                rest = " ".join(w.text for w in words[i + 2:])
                an.shell(Word(words[i + 1].text + " " + rest, words[i + 1].dynamic), cmd, "env -S")
                return None
            i += 2
            continue
        if text.startswith("-") and not words[i].dynamic:
            i += 1
            continue
        break
    env = list(cmd.env)
    while i < len(words) and "=" in words[i].text and not words[i].text.startswith("="):
        key, _, val = words[i].text.partition("=")
        env.append((key, Word(val, words[i].dynamic, secret=words[i].secret)))
        i += 1
    if i >= len(words):
        return False
    return cmd.with_words(words[i:], via=name, scope=scope, env=tuple(env))


def command(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """command / builtin / exec: run the command, except ``command -v/-V`` which only looks up."""
    p = argv.parse(cmd.words[1:], argv.opts("-a"), stop_at_operand=True)
    if p.has("v", "V") or not p.operands:
        return False
    return cmd.with_words(p.operands, via=name)


def flock(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """flock [options] file (command … | -c command); ``-c command`` may come before the file."""
    p = argv.parse(cmd.words[1:], argv.opts("-w --wait --timeout -E --conflict-exit-code -c --command"),
                   stop_at_operand=True)
    text = p.value("c", "command")
    if text is not None:
        an.shell(text, cmd, "flock -c")
        return None
    ops = p.operands[1:]
    if ops and ops[0].text in ("-c", "--command") and len(ops) > 1:
        an.shell(ops[1], cmd, "flock -c")
        return None
    return cmd.with_words(ops, via=name) if ops else False


def shell_option(flag: str, spec: str) -> Callable[[Cmd, Analysis, str], Peeled]:
    """su / script / runuser: ``-c COMMAND`` is shell text; otherwise they start a shell, except
    ``runuser -u USER [--] COMMAND …``, which runs the command."""
    takes = argv.opts(spec + " -" + flag)

    def peel(cmd: Cmd, an: Analysis, name: str) -> Peeled:
        p = argv.parse(cmd.words[1:], takes)
        texts = p.all(flag, "command")
        for word in texts:
            an.shell(word, cmd, f"{name} -{flag}")
        if texts:
            return None
        if name == "runuser" and p.value("u", "user") is not None and p.operands:
            return cmd.with_words(p.operands, via=name)
        return False
    return peel


def _shell_text(spec: str, argv_flags: tuple[str, ...] = ()) -> Callable[[Cmd, Analysis, str], Peeled]:
    """A runner whose operands, joined, are shell text (watch, sem); ``argv_flags`` make them an argv."""
    takes = argv.opts(spec)

    def peel(cmd: Cmd, an: Analysis, name: str) -> Peeled:
        p = argv.parse(cmd.words[1:], takes, stop_at_operand=True)
        if not p.operands:
            return False
        if argv_flags and p.has(*argv_flags):
            return cmd.with_words(p.operands, via=name)
        text = " ".join(w.text for w in p.operands)
        an.shell(Word(text, any(w.dynamic for w in p.operands)), cmd, name, stdin=cmd.stdin)
        return None
    return peel


def sg(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """sg GROUP [-c] COMMAND: the command, shell text, runs as that group."""
    words = [w for w in cmd.words[1:] if w.text not in ("-", "-c")]
    if len(words) < 2:
        return False
    an.shell(Word(" ".join(w.text for w in words[1:]), any(w.dynamic for w in words[1:])), cmd, name, stdin=cmd.stdin)
    return None


_PERF = _simple("-e --event -o --output -p --pid -t --tid -r --repeat -C --cpu -G --cgroup -x --field-separator "
                "-I --interval-print -F --freq -c --count -m --mmap-pages --call-graph -u --uid -D --delay")


def perf(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """perf stat|record|trace|ftrace [options] COMMAND: the command runs, measured."""
    if len(cmd.words) < 3 or cmd.words[1].text not in ("stat", "record", "trace", "ftrace"):
        return False
    return _PERF(cmd.with_words(cmd.words[1:]), an, name)


XARGS_VALUE = argv.opts("-I --replace -L --max-lines -n --max-args -P --max-procs -d --delimiter "
                        "-E --eof -s --max-chars -a --arg-file --process-slot-var")


def xargs(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """xargs: the program after its options also gets the words piped in (unknown here)."""
    p = argv.parse(cmd.words[1:], XARGS_VALUE, stop_at_operand=True)
    for word in p.all("a", "arg-file"):
        an.file("file_read", word, cmd, program=name)
    ops = p.operands or [Word("echo")]
    replace = p.value("I", "replace", "i")
    # `echo a b | xargs rm`: the words are known (not with -a, whose file gives them, or -E)
    known = None if p.all("a", "arg-file") or p.has("E", "eof") else xargs_input.items(cmd, p, replace is not None)
    sample = [Word(cmd.stdin.listed)] if cmd.stdin.listed else []  # one of the files listed before it
    if replace is not None and replace.text:
        for item in (known or [])[:-1]:  # one command per item, the last one dispatched as the peeled
            an.dispatch(cmd.with_words(fill(ops, replace.text, item), via=name))
        if known is not None:
            return cmd.with_words(fill(ops, replace.text, known[-1]), via=name) if known else False
        words = fill(ops, replace.text, sample[0] if sample else Word(UNKNOWN, dynamic=True))
    else:
        words = [*ops, *(known or []), *sample, *([Word(UNKNOWN, dynamic=True)] if known is None else [])]
    return cmd.with_words(words, via=name)



def fill(template: list[Word], token: str, value: Word) -> list[Word]:
    """``template`` with ``token`` replaced by ``value`` (``xargs -I{}``, ``parallel``). Shell text
    after ``sh -c`` stays readable code: an unknown value is spelled inside it as a variable the
    shell analyser cannot resolve, so only what it reaches is dynamic."""
    out = []
    for i, word in enumerate(template):
        if token not in word.text:
            out.append(word)
            continue
        code = i >= 2 and template[i - 1].text == "-c" and basename(template[0].text) in SHELLS
        if code and word.text.lstrip().startswith(token):  # `sh -c '{}'`: the value is the command itself
            code = False
        out.append(Word(word.text.replace(token, value.text), word.dynamic or (value.dynamic and not code),
                        word.glob or value.glob, word.secret or value.secret))
    return out


def parallel(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """GNU parallel: ``parallel [options] command ::: values`` (or values piped in)."""
    words = list(cmd.words[1:])
    split = next((i for i, w in enumerate(words) if w.text in (":::", "::::", ":::+", "::::+")), len(words))
    p = argv.parse(words[:split], argv.opts("-j --jobs -S --sshlogin --joblog -a --arg-file --delay "
                                            "--timeout -N -n --max-args -I --colsep --results"),
                   stop_at_operand=True)
    values = [w for w in words[split + 1:] if w.text not in (":::", "::::")]
    static = values and len(values) <= MAX_WORDS and not any(w.dynamic for w in values) \
        and words[split].text.startswith(":::") and not words[split].text.startswith("::::")
    template = p.operands
    if not template:  # no command: each value (or line of input) is a command of its own
        if static:
            for value in values[:MAX_WORDS]:
                an.shell(value, cmd, "parallel")
            return None
        if values or cmd.stdin.kind or p.value("a", "arg-file") is not None:
            an.dispatch(cmd.with_words([Word("sh"), Word("-c"), Word(UNKNOWN, dynamic=True)], via=name))
            return None
        return False
    fills = values if static else [Word(UNKNOWN, dynamic=True)]
    for value in fills[:MAX_WORDS]:
        if len(template) == 1 and " " in template[0].text:  # one word: shell text
            an.shell(Word(template[0].text.replace("{}", value.text)), cmd, "parallel")
            continue
        filled = fill(template, "{}", value)
        if not any("{}" in w.text for w in template):
            filled.append(value)
        an.dispatch(cmd.with_words(filled, via=name))
    return None


def entr(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """entr: runs its utility when files change; ``-s`` makes it shell text."""
    p = argv.parse(cmd.words[1:], frozenset(), stop_at_operand=True)
    if not p.operands:
        return False
    if p.has("s"):
        an.shell(p.operands[0], cmd, "entr -s")
        return None
    return cmd.with_words([Word(UNKNOWN, True) if w.text == "/_" else w for w in p.operands],
                          via=name)


def _environment_runner(subs: str, outer: str = "", inner: str = "", lead: int = 0,
                        python: bool = False, venv: bool = False) -> Callable[[Cmd, Analysis, str], Peeled]:
    """A tool that runs a command in the environment it manages: ``name [options] SUB [options]
    [lead operands] command …`` (``poetry run``, ``conda run -n env``, ``direnv exec DIR``); with
    ``python``, a ``.py`` operand is a script and ``-m`` a module (``uv run x.py``); with ``--``
    among ``subs`` the command follows ``--`` (``mise exec node@20 -- node x.js``); with ``venv``,
    the project's ``.venv/bin`` comes first on the command's PATH (``Scope.bins``)."""
    outer_takes, inner_takes, names = argv.opts(outer), argv.opts(inner), subs.split()

    def peel(cmd: Cmd, an: Analysis, name: str) -> Peeled:
        inner_cmd = _peel(cmd, an, name)
        if inner_cmd and name in ("pdm", "hatch", "pipenv", "poetry", "uv"):  # a script of the project's
            from vectimus.analyser.programs import python_scripts

            if python_scripts.run(an, cmd, name, inner_cmd):
                return None
        if venv and inner_cmd:
            from vectimus.analyser import loaded

            bins = loaded.venv_bins(an, cmd)
            if bins:
                return inner_cmd._replace(scope=inner_cmd.scope.with_bins(bins))
        return inner_cmd

    def _peel(cmd: Cmd, an: Analysis, name: str) -> Peeled:
        p = argv.parse(cmd.words[1:], outer_takes, stop_at_operand=True)
        if not p.operands or p.operands[0].text not in names:
            return False
        via = f"{name} {p.operands[0].text}"
        rest = p.operands[1:]
        if "--" in names:
            texts = [w.text for w in rest]
            return cmd.with_words(rest[texts.index("--") + 1:], via=via) if "--" in texts[:-1] else False
        q = argv.parse(rest, inner_takes, stop_at_operand=True)
        module = q.value("m", "module") if python else None
        if module is not None:
            return cmd.with_words([Word("python3"), Word("-m"), module, *q.operands], via=via)
        ops = q.operands[lead:]
        if not ops:
            return False
        if python and (q.has("s", "script") or ops[0].text.endswith((".py", ".pyw"))):
            ops = [Word("python3"), *ops]
        if name == "hatch" and ":" in ops[0].text and not ops[0].dynamic:  # hatch run env:command
            ops = [Word(ops[0].text.split(":", 1)[1]), *ops[1:]]
        return cmd.with_words(ops, via=via)
    return peel


def nix_shell(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """nix-shell ``--run``/``--command`` TEXT (shell text); nix develop / nix shell ``-c`` COMMAND …"""
    words = list(cmd.words[1:])
    texts = [w.text for w in words]
    if name == "nix-shell":
        for i, text in enumerate(texts[:-1]):
            if text in ("--run", "--command"):
                an.shell(words[i + 1], cmd, f"nix-shell {text}")
                return None
        return False
    for flag in ("-c", "--command"):
        if texts[:1] in (["develop"], ["shell"]) and flag in texts[:-1]:
            return cmd.with_words(words[texts.index(flag) + 1:], via=f"nix {texts[0]}")
    return False


_ENV_MANAGERS = {"direnv": _environment_runner("exec", lead=1), "mise": _environment_runner("exec x --", "-C --cd")}


def _loads_first(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """``bundle exec CMD``, ``direnv exec DIR CMD``, ``mise exec|run``: what the tool loads or runs first
    (the Gemfile: ``programs.bundler``; the ``.envrc``, mise's settings and tasks: ``programs.env_managers``)."""
    if name == "bundle":
        from vectimus.analyser.programs import bundler

        return bundler.peel(cmd, an, name)
    from vectimus.analyser.programs import env_managers

    return env_managers.peel(cmd, an, name, _ENV_MANAGERS["direnv" if name == "direnv" else "mise"])  # type: ignore[return-value]


_MPI = "-n -np -N --host -H --hostfile --machinefile -c --cpus-per-task --map-by --bind-to -x --mem -G --gpus " \
       "-w --nodelist -o --output -e --error"
_MPI_PEEL = _simple(_MPI)


def _mpi(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """mpirun/mpiexec [options] COMMAND (``-np N`` is ``-n N``)."""
    return _MPI_PEEL(cmd.with_words([cmd.words[0], *(Word("-n") if w.text == "-np" else w for w in cmd.words[1:])]),
                     an, name)


_WATCHEXEC = _shell_text("-w --watch -e --exts -i --ignore -d --debounce -s --signal --shell -f --filter "
                         "--on-busy-update --stop-signal --stop-timeout -W --watch-non-recursive --delay-run")
_PUEUE = _shell_text("-w --working-directory -d --delay -g --group -a --after -l --label -p --priority")


def _after_dashes(cmd: Cmd, an: Analysis, name: str) -> Peeled:
    """capsh, watchexec, pueue add: what follows ``--`` runs (``capsh -- -c CMD`` is ``bash -c CMD``);
    watchexec's and pueue's operands without one are shell text."""
    texts = [w.text for w in cmd.words[1:]]
    if name == "pueue":
        return _PUEUE(cmd.with_words(cmd.words[1:]), an, name) if texts[:1] == ["add"] else False
    if "--" not in texts:
        return _WATCHEXEC(cmd, an, name) if name == "watchexec" else False
    lead = [Word("bash")] if name == "capsh" else []
    return cmd.with_words([*lead, *cmd.words[texts.index("--") + 2:]], via=name)


UV_RUN = ("-m --module --with --with-editable --with-requirements -p --python --directory --project --package --extra "
          "--group --only-group --no-group --env-file --index --default-index -i --index-url --extra-index-url "
          "-f --find-links -P --upgrade-package --reinstall-package -C --config-setting --exclude-newer "
          "--prerelease --resolution --index-strategy --keyring-provider --link-mode --refresh-package "
          "--cache-dir --config-file --color --allow-insecure-host --python-platform")
CONDA_RUN = "-n --name -p --prefix --cwd"

# Wrappers that are programs with commands of their own besides running one (``uv add``, ``conda
# install``): when they do not peel, their own handler reads them.
OWN_COMMANDS = frozenset(("rbenv", "pyenv", "nodenv", "volta", "toolbox", "distrobox", "flox", "guix", "pueue",
                          "bundle", "uv", "poetry", "pipenv", "pdm", "rye", "hatch", "conda", "mamba", "micromamba",
                          "pixi", "asdf", "direnv", "mise", "rtx", "devbox", "nix-shell", "nix", "dotenv"))

WRAPPERS: dict[str, Callable[[Cmd, Analysis, str], Peeled]] = {
    "sudo": sudo, "sudoedit": sudo, "doas": sudo, "run0": sudo, "pkexec": sudo,
    "env": env, "command": command, "builtin": command, "exec": command,
    "nice": _simple("-n --adjustment"), "nohup": _simple(""), "time": _simple("-f --format -o --output"),
    "timeout": _simple("-s --signal -k --kill-after", lead=1),
    "gtimeout": _simple("-s --signal -k --kill-after", lead=1),
    "stdbuf": _simple("-i -o -e --input --output --error"),
    "ionice": _simple("-c --class -n --classdata -p --pid -P --pgid -u --uid"),
    "chroot": _simple("--userspec --groups", lead=1), "setsid": _simple(""),
    "unbuffer": _simple(""), "caffeinate": _simple("-t -w"), "taskset": _simple("", lead=1),
    "chrt": _simple("", lead=1), "faketime": _simple("-f", lead=1), "busybox": _simple(""),
    "strace": _simple("-o -e -p -s -u -E -P -S -a -b -I -O -X"), "ltrace": _simple("-o -e -p -s -u -n"),
    "torsocks": _simple("-a -P -u -p"), "proxychains": _simple("-f"), "proxychains4": _simple("-f"),
    "flock": flock, "su": shell_option("c", "-s --shell -g --group -G -w"),
    "runuser": shell_option("c", "-u --user -s --shell -g --group -G -w"),
    "script": shell_option("c", "-t --timing -I -O -B -T -E --echo -m"),
    "watch": _shell_text("-n --interval -q --equexit", ("x", "exec")), "xargs": xargs,
    "parallel": parallel, "entr": entr, "sg": sg, "perf": perf, "bwrap": bwrap, "dotenv": dotenv,
    "chronic": _simple(""), "coproc": _simple(""), "rlwrap": _simple("-f -H -l -P -S -z -C -D -g -O -w -e -o"),
    "valgrind": _simple("--log-file --tool --suppressions"),
    "proot": _simple("-r --rootfs -b --bind -m --mount -w --pwd --cwd -q --qemu -k --kernel-release"), "sem": _shell_text("-j --jobs -P --max-procs --id --semaphorename --timeout"),
    "systemd-run": _simple(
        "-p --property -u --unit --description --slice -E --setenv -M --machine -H --host --uid "
        "--gid --nice --working-directory -d --on-active --on-boot --on-startup --on-unit-active "
        "--on-unit-inactive --on-calendar --on-clock-change --on-timezone-change --timer-property "
        "--path-property --socket-property --service-type --send-sighup --expand-environment"),
    "dbus-launch": _simple("--config-file --autolaunch"), "dbus-run-session": _simple("--config-file --dbus-daemon"),
    "unshare": _simple("--map-user --map-group --map-users --map-groups -S --setuid -G --setgid -R --root "
                       "-w --wd --propagation --setgroups --kill-child"),
    "nsenter": _simple("-t --target -S --setuid -G --setgid -r --root -w --wd"),
    "fakeroot": _simple("-l --lib --faked -s -i -b"), "eatmydata": _simple(""), "nocache": _simple(""),
    "xvfb-run": _simple("-n --server-num -s --server-args -f --auth-file -e --error-file -p --xauth-protocol"),
    "ssh-agent": _simple("-a -E -P -t"), "firejail": _simple(""), "catchsegv": _simple(""),
    "trickle": _simple("-u -d -w -t -l -n"), "cpulimit": _simple("-l --limit -p --pid -e --exe"),
    "uv": _environment_runner("run", "--directory --project --cache-dir --config-file --color", UV_RUN,
                              python=True, venv=True),
    "poetry": _environment_runner("run", "-C --directory -P --project", venv=True),
    "pipenv": _environment_runner("run", "--python --where --py", venv=True),
    "pdm": _environment_runner("run", "-p --project", "--venv -p --project", venv=True), "rye": _environment_runner("run", venv=True),
    "hatch": _environment_runner("run", "-e --env -p --project --data-dir --cache-dir --config", venv=True),
    "conda": _environment_runner("run", "", CONDA_RUN), "mamba": _environment_runner("run", "", CONDA_RUN),
    "micromamba": _environment_runner("run", "", CONDA_RUN),
    "pixi": _environment_runner("run exec", "--manifest-path", "-e --environment --manifest-path -s --spec"),
    "asdf": _environment_runner("exec"), **dict.fromkeys(("direnv", "mise", "rtx"), _loads_first),
    "devbox": _environment_runner("run", "-c --config"),
    "nix-shell": nix_shell, "nix": nix_shell, "bundle": _loads_first,
    # launchers that run the command after their options (schedulers, sandboxes, loaders, emulators)
    "systemd-inhibit": _simple("--what --who --why --mode"), "tsocks": _simple(""), "ifne": _simple(""),
    "mpirun": _mpi, "mpiexec": _mpi, "srun": _simple(_MPI + " -p --partition -t --time -J "
                                                                    "--job-name -A --account -D --chdir"),
    "setpriv": _simple("--reuid --regid --ruid --rgid --euid --egid --groups --inh-caps --ambient-caps "
                       "--bounding-set --securebits --pdeathsig --selinux-label --apparmor-profile"),
    "numactl": _simple("-N --cpunodebind -m --membind -C --physcpubind -i --interleave -p --preferred"),
    "cgexec": _simple("-g"), "tsp": _simple("-L -D -W -N -E -S"), "daemonize": _simple("-a -c -e -E -o -p -l -u"),
    **dict.fromkeys(("ld.so", "ld-linux.so.2", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
                     "ld-musl-x86_64.so.1"), _simple("--library-path --preload --audit --argv0 --inhibit-rpath")),
    **dict.fromkeys(("qemu-x86_64", "qemu-i386", "qemu-aarch64", "qemu-arm", "qemu-riscv64"),
                    _simple("-L -E -U -cpu -g -R -B -d -D -p -r -s")),
    "capsh": _after_dashes, "watchexec": _after_dashes, "pueue": _after_dashes,
    "rbenv": _environment_runner("exec"), "pyenv": _environment_runner("exec"), "nodenv": _environment_runner("exec"),
    "volta": _environment_runner("run", inner="--node --npm --yarn --pnpm --bundled-npm --env"),
    "toolbox": _environment_runner("run", inner="-c --container -d --distro -r --release"),
    "distrobox": _environment_runner("enter --"), "flox": _environment_runner("activate --", inner="-d --dir"),
    "guix": _environment_runner("shell environment --"),
}
