"""Every runner of commands: what it runs is analysed as if typed directly, and its look-alikes
(listing, attaching, help) run nothing."""

from __future__ import annotations

import pytest

from tests.support.analysis import HOME, shell


def deleted(actions):
    return [a.target.path for a in actions if a.kind == "file_delete"]


@pytest.mark.parametrize("command", [
    "find . -maxdepth 0 -exec rm -rf ~ \\;", "find ~ -maxdepth 0 -execdir rm -rf {} +",
    "find ~ -maxdepth 0 -ok rm -rf {} \\;", "find ~ -maxdepth 0 -okdir rm -rf {} \\;",
    "find . -exec sh -c 'rm -rf ~' \\;",
    "xargs -a list.txt rm -rf ~", "cat list.txt | xargs -I{} sh -c 'rm -rf ~ {}'",
    "parallel rm -rf ::: ~", "parallel 'rm -rf {}' ::: ~", "watch -n 1 rm -rf ~", "watch -x rm -rf ~",
    "script -qc 'rm -rf ~' /dev/null", "env -S 'rm -rf ~'", "busybox rm -rf ~", "busybox sh -c 'rm -rf ~'",
    "flock /tmp/l rm -rf ~", "flock /tmp/l -c 'rm -rf ~'",
    "nohup rm -rf ~", "setsid -f rm -rf ~", "stdbuf -oL rm -rf ~", "timeout -s KILL 5 rm -rf ~",
    "chronic rm -rf ~", "sem -j 2 rm -rf ~", "sem 'rm -rf ~'", "entr -s 'rm -rf ~'", "entr rm -rf ~",
    "echo 'rm -rf ~' | at now", "at now + 1 minute <<< 'rm -rf ~'", "batch <<EOF\nrm -rf ~\nEOF",
    "systemd-run --user --on-active=10 rm -rf ~", "systemd-run -p Nice=5 --scope bash -c 'rm -rf ~'",
    "tmux new-session -d 'rm -rf ~'", "tmux new -d -s x bash -c 'rm -rf ~'", "tmux split-window 'rm -rf ~'",
    "tmux send-keys -t 0 'rm -rf ~' Enter", "tmux new -d \\; send-keys 'rm -rf ~' C-m",
    "tmux run-shell 'rm -rf ~'", "screen -dmS x rm -rf ~", "screen -d -m bash -c 'rm -rf ~'",
    "screen -S x -X stuff 'rm -rf ~^M'", "ssh localhost 'rm -rf ~'", "ssh -o ProxyCommand='rm -rf ~' h",
    "ssh h <<'EOF'\nrm -rf ~\nEOF", "dbus-launch --exit-with-session rm -rf ~", "dbus-run-session -- rm -rf ~",
    "expect -c 'spawn rm -rf ~; expect eof'", "expect -c 'spawn bash; send \"rm -rf ~\\r\"; interact'",
    "unshare -r rm -rf ~", "fakeroot rm -rf ~", "xvfb-run -a rm -rf ~", "nice -n 5 ionice -c3 rm -rf ~",
    "inotifywait -m . | while read f; do rm -rf ~; done", "sudo -u root env X=1 nohup rm -rf ~",
    "uv run rm -rf ~", "uv --directory . run --with requests -- rm -rf ~", "poetry run rm -rf ~",
    "pipenv run rm -rf ~", "pdm run rm -rf ~", "rye run rm -rf ~", "hatch run test:rm -rf ~",
    "conda run -n base rm -rf ~", "micromamba run -p ./env rm -rf ~", "pixi run rm -rf ~",
    "asdf exec rm -rf ~", "direnv exec . rm -rf ~", "mise exec node@20 -- rm -rf ~", "devbox run rm -rf ~",
    "nix-shell -p hello --run 'rm -rf ~'", "nix develop -c rm -rf ~", "nix shell nixpkgs#hello -c rm -rf ~",
    "tar -cf /dev/null --to-command='rm -rf ~' .", "tar -I 'rm -rf ~' -cf x.tgz .",
    "tar cf x.tar --checkpoint=1 --checkpoint-action=exec='rm -rf ~' .", "sort --compress-program='rm -rf ~' a",
    "zip x.zip a -T -TT 'rm -rf ~'", "man -P 'rm -rf ~' ls", "vim -c '!rm -rf ~' -c q", "vim '+!rm -rf ~' +q",
    "MANPAGER='rm -rf ~' man ls", "LESSOPEN='|rm -rf ~ %s' less a", "PROMPT_COMMAND='rm -rf ~' bash -i",
    "trap 'rm -rf ~' EXIT; true", "shopt -s expand_aliases\nalias x='rm -rf ~'\nx", ". /dev/stdin <<< 'rm -rf ~'",
    "source /dev/stdin <<EOF\nrm -rf ~\nEOF", "sg grp 'rm -rf ~'", "sg - grp -c 'rm -rf ~'", "perf stat rm -rf ~",
    "perf record -o /tmp/p.data -- rm -rf ~", "bwrap --bind / / rm -rf ~",
    "bwrap --ro-bind /usr /usr --dev /dev --unshare-all -- rm -rf ~",
    # launchers after their options: schedulers, sandboxes, loaders, emulators, version managers
    "systemd-inhibit --why=x rm -rf ~", "mpirun -np 2 rm -rf ~", "mpiexec -n 2 rm -rf ~", "srun -N1 rm -rf ~",
    "watchexec -- rm -rf ~", "watchexec -e py 'rm -rf ~'", "qemu-x86_64 /bin/rm -rf ~", "ld.so /bin/rm -rf ~",
    "/lib64/ld-linux-x86-64.so.2 /bin/rm -rf ~", "setpriv --reuid=1000 rm -rf ~", "capsh -- -c 'rm -rf ~'",
    "tsocks rm -rf ~", "numactl -N0 rm -rf ~", "cgexec -g cpu:x rm -rf ~", "guix shell -- rm -rf ~",
    "rbenv exec rm -rf ~", "pyenv exec rm -rf ~", "volta run rm -rf ~", "toolbox run rm -rf ~",
    "distrobox enter box -- rm -rf ~", "flox activate -- rm -rf ~", "pueue add -- 'rm -rf ~'", "tsp rm -rf ~",
    "daemonize /bin/rm -rf ~", "ifne rm -rf ~", "npx sh -c 'rm -rf ~'", "npm exec -- sh -c 'rm -rf ~'",
    "pnpm exec bash -c 'rm -rf ~'", "yarn exec sh -c 'rm -rf ~'", "bunx sh -c 'rm -rf ~'", "npx -c 'rm -rf ~'",
    "npm exec --call='rm -rf ~'",
])
def test_runner_runs_the_command(command):
    assert HOME in deleted(shell(command)), command


def test_curl_into_sh_c_sh_runs_the_download():
    actions = shell("curl -s https://x.example/a | sh -c 'sh'")
    assert any(a.kind == "exec" and a.program == "sh" and a.dynamic and a.via == ("sh -c",) for a in actions)


def test_xargs_template_is_readable_code_with_unknown_data():
    actions = shell("cat list.txt | xargs -I{} sh -c 'cp {} dist/'")
    assert not [a for a in actions if a.program == "sh" and a.dynamic]
    assert [a.target.path for a in actions if a.kind == "file_write"] == ["dist/${__unknown__}"]
    rm = shell("cat list.txt | xargs -I{} sh -c 'rm -rf {}'")
    assert [a.dynamic for a in rm if a.kind == "file_delete"] == [True]


@pytest.mark.parametrize("command", [
    "find . -name '*.pyc' -exec rm {} +", "xargs -I{} cp {} dist/", "tmux ls", "tmux attach -t 0",
    "tmux new -s work", "screen -ls", "screen -r x", "ssh host uptime", "watch -n 2 git status",
    "at -l", "atq", "timeout 60 pytest -q", "nohup python3 -m http.server 8000 > /dev/null &",
    "tmux send-keys -t 0 'make test' Enter", "ssh -o ProxyCommand=none h ls",
    "uv run pytest -q", "uv pip install requests", "uv sync", "poetry install", "poetry run pytest",
    "conda run -n base python -V", "mise exec node@20 -- node -v", "nix-shell -p hello", "nix develop",
    "tar -czf x.tgz src", "tar -I zstd -cf x.tar.zst .", "vim -c 'set nu' a", "man ls", "sort -u a",
    "LESSOPEN='| lesspipe %s' less a", "zip -r x.zip src",
    "trap - EXIT", "trap 'echo done' EXIT", "trap -l", "alias ll='ls -la'", "hash -r", "hash git",
    "bash -n -c 'rm -rf ~'", "sh -o noexec -c 'rm -rf ~'", "for f in *.sh; do bash -n \"$f\"; done",
    "mpirun -np 4 python3 train.py", "watchexec -e py -- pytest -q", "pyenv exec python -V", "pyenv versions",
    "volta install node", "distrobox list", "pueue status", "srun -N1 hostname", "numactl --hardware",
    "npx eslint .", "npm exec -- prettier --check .", "pnpm exec vitest run", "npx -c 'eslint .'",
])
def test_runner_look_alikes_delete_nothing_outside(command):
    assert not [p for p in deleted(shell(command)) if not p.startswith("/home/u/proj")], command


@pytest.mark.parametrize("command, package", [("uv add httpx", "uv:httpx"), ("poetry add httpx", "poetry:httpx"),
                                              ("conda install numpy", "conda:numpy")])
def test_an_environment_runner_is_still_read_for_its_own_commands(command, package):
    assert [a for a in shell(command) if a.kind == "package" and a.resource == package], command


@pytest.mark.parametrize("command", ["perf stat -e cycles make test", "bwrap --ro-bind / / --tmpfs /tmp ls",
                                     "sg docker 'docker ps'", "perf list", "perf report -i perf.data"])
def test_ordinary_sandboxes_and_profilers_run_what_they_name(command):
    assert not deleted(shell(command)), command


@pytest.mark.parametrize("command", [
    "git submodule foreach 'rm -rf ~'", "git submodule foreach --recursive rm -rf ~",
    "git bisect run sh -c 'rm -rf ~'", "git rebase --exec 'rm -rf ~' HEAD~3", "git rebase -x 'rm -rf ~' main",
    "git difftool -y -x 'rm -rf ~;' HEAD", "git difftool --extcmd='rm -rf ~;' -y",
    "git -c mergetool.x.cmd='rm -rf ~' mergetool -t x", "git -c difftool.x.cmd='rm -rf ~' difftool --tool=x -y",
    "git -c diff.tool=x -c difftool.x.cmd='rm -rf ~' difftool -y", "git filter-branch --tree-filter 'rm -rf ~' HEAD",
])
def test_git_runs_the_commands_its_arguments_and_tools_name(command):
    assert HOME in deleted(shell(command)), command


@pytest.mark.parametrize("command", ["git submodule foreach --recursive git pull", "git bisect run make test",
                                     "git rebase -x 'make test' HEAD~3", "git difftool -t vimdiff HEAD",
                                     "git submodule update --init"])
def test_ordinary_git_commands_that_run_tools(command):
    assert not deleted(shell(command)), command
