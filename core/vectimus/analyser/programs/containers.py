"""Container runs (``docker``/``podman``/``nerdctl`` ``run``/``create``): the host paths they mount.

A bind mount hands a host path to the container, so it is recorded as a file action on that path:
``file_write`` for a read-write mount (the container can change it), ``file_read`` for ``:ro``.
``-v /:/host`` is then a write to ``/`` and ``-v "$PWD":/app`` one to the project, which policies
judge like any other write. Named volumes are not host paths and are left out; what runs inside
the container is not a host action and is not analysed.
Standard library only: used on the hot path.
"""

from __future__ import annotations


from vectimus.analyser import argv
from vectimus.analyser.programs import mounts
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.subcommands import SUBCOMMAND_TOOLS

RUNS = ("run", "create")
# Options of run/create that take a value (so the image name is found after them).
VALUE_OPTS = argv.opts(
    "-v --volume --mount -e --env --env-file -p --publish -w --workdir -u --user --name -l --label "
    "--label-file --network --net --network-alias -h --hostname --domainname --entrypoint -m --memory "
    "--memory-swap --memory-reservation --cpus --cpu-shares -c --cpuset-cpus --platform --restart "
    "--log-driver --log-opt --device --add-host --dns --dns-search --dns-option --cap-add --cap-drop "
    "--security-opt --pid --ipc --uts --userns --cgroupns --cgroup-parent --tmpfs --ulimit "
    "--shm-size --gpus --runtime --pull --cidfile --volumes-from --link -a --attach --stop-signal "
    "--stop-timeout --health-cmd --health-interval --health-retries --health-timeout --init-path "
    "--mac-address --ip --ip6 --group-add --expose --isolation --oom-score-adj --storage-opt "
    "--sysctl --detach-keys --volume-driver --blkio-weight --pids-limit --annotation")


EXEC_OPTS = argv.opts("-e --env --env-file -u --user -w --workdir --detach-keys")
KUBECTL_EXEC_OPTS = argv.opts("-c --container -f --filename --pod-running-timeout -n --namespace "
                              "--context --kubeconfig --cluster --user -s --server --token")


def run(an: Analysis, cmd: Cmd, program: str) -> None:
    """Record the host paths a ``run``/``create`` bind-mounts (global options before it skipped);
    the command an ``exec`` runs inside a container is analysed as a command of its own."""
    head = argv.parse(cmd.words[1:], SUBCOMMAND_TOOLS.get(program, frozenset()), stop_at_operand=True)
    if not head.operands or head.operands[0].text not in (*RUNS, "exec", "compose"):
        return
    start = next(i for i, w in enumerate(cmd.words) if w is head.operands[0]) + 1
    if head.operands[0].text == "compose":
        from vectimus.analyser.programs import compose

        compose.run(an, cmd, program, list(cmd.words[start:]))
        return
    if head.operands[0].text == "exec":
        inner = argv.parse(cmd.words[start:], EXEC_OPTS, stop_at_operand=True).operands[1:]
        if inner:
            an.dispatch(cmd.with_words(inner, via=f"{program} exec"))
        return
    options = argv.parse(cmd.words[start:], VALUE_OPTS, stop_at_operand=True)
    for spec in options.all("v", "volume"):
        mounts.mount(an, cmd, program, *_volume(spec))
    for spec in options.all("mount"):
        mounts.mount(an, cmd, program, *_mount_spec(spec))


def _volume(spec: Word) -> tuple[Word | None, bool]:
    """``SRC:DST[:OPTS]`` -> (the host source when it is a path, read-only)."""
    parts = spec.text.split(":")
    if len(parts) < 2:
        return None, False  # an anonymous volume: -v /data
    opts = parts[2].split(",") if len(parts) > 2 else []
    return Word(parts[0], spec.dynamic, spec.glob, spec.secret), "ro" in opts or "readonly" in opts


def _mount_spec(spec: Word) -> tuple[Word | None, bool]:
    """``type=bind,source=SRC,target=DST[,readonly]`` -> (the host source of a bind mount, read-only)."""
    fields = dict(part.partition("=")[::2] for part in spec.text.split(","))
    if fields.get("type", "volume") != "bind":
        return None, False
    source = fields.get("source") or fields.get("src") or ""
    readonly = fields.get("readonly", "false") in ("", "true", "1") or "ro" in fields
    return Word(source, spec.dynamic, spec.glob, spec.secret), readonly


def kubectl_exec(an: Analysis, cmd: Cmd, program: str) -> None:
    """``kubectl exec POD [--] COMMAND …``: the command runs in the pod and is analysed."""
    head = argv.parse(cmd.words[1:], SUBCOMMAND_TOOLS.get(program, frozenset()), stop_at_operand=True)
    if not head.operands or head.operands[0].text != "exec":
        return
    start = next(i for i, w in enumerate(cmd.words) if w is head.operands[0]) + 1
    words = list(cmd.words[start:])
    dash = next((i for i, w in enumerate(words) if w.text == "--" and not w.dynamic), None)
    if dash is not None:
        inner = words[dash + 1:]
    else:
        inner = argv.parse(words, KUBECTL_EXEC_OPTS, stop_at_operand=True).operands[1:]
    if inner:
        an.dispatch(cmd.with_words(inner, via=f"{program} exec"))


HANDLERS = {**dict.fromkeys(("docker", "podman", "nerdctl"), run), **dict.fromkeys(("kubectl", "oc"), kubectl_exec)}
