"""git_programs: the ordinary programs a git setting or variable may name without running other code."""

from __future__ import annotations

import pytest

from vectimus.analyser.programs.git_programs import plain


@pytest.mark.parametrize("key, value", [
    ("GIT_SSH_COMMAND", "ssh -i ~/.ssh/id_work"), ("GIT_SSH_COMMAND", "ssh -i ~/.ssh/k -o IdentitiesOnly=yes -p2222"),
    ("core.sshCommand", "/usr/bin/ssh -o StrictHostKeyChecking=accept-new -q"), ("core.pager", "less -FRX"),
    ("core.pager", "cat"), ("core.pager", "delta --dark"), ("core.editor", "code --wait"), ("core.editor", "vim"),
    ("sequence.editor", "true"),
])
def test_an_ordinary_program_is_plain(key, value):
    assert plain(key, value)


@pytest.mark.parametrize("key, value", [
    ("GIT_SSH_COMMAND", 'ssh -o ProxyCommand="nc 203.0.113.9 22"'), ("GIT_SSH_COMMAND", "ssh -F ./ssh_config"),
    ("GIT_SSH_COMMAND", "ssh -oLocalCommand=id -oPermitLocalCommand=yes"), ("GIT_SSH_COMMAND", "ssh -i k; curl x"),
    ("GIT_SSH_COMMAND", "./bin/ssh -i k"), ("GIT_SSH_COMMAND", "sh -c 'ssh \"$@\"'"), ("GIT_SSH_COMMAND", "ssh -i"),
    ("core.sshCommand", "ssh -o 'KnownHostsCommand /bin/id'"), ("core.pager", "less +!id"),
    ("core.pager", "delta --pager 'sh -c id'"), ("core.pager", "less -R | tee /tmp/x"), ("core.editor", 'vim -c "!id"'),
    ("core.editor", "code --wait $(id)"), ("core.editor", ""), ("core.pager", "'unclosed"),
])
def test_anything_more_is_not(key, value):
    assert not plain(key, value)
