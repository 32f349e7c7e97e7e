"""An environment dump a grep for plain names filters shows only the variables that match: it is
``risk = "filtered-env"`` (which the secrets pack lets through) unless the pattern names a credential
or matches a variable of the hook's environment that holds one."""

from __future__ import annotations

import pytest

from tests.support.analysis import ENV, PROJECT, places
from vectimus.analyser import analyse
from vectimus.model import ToolCall


def risk(command: str, env: dict | None = None) -> str:
    call = ToolCall(agent="test", tool="Bash", kind="shell", cwd=PROJECT, project_dir=PROJECT, command=command)
    actions = analyse(call, places(), {**ENV, "PATH": "/usr/bin", "NODE_ENV": "dev", **(env or {})})
    [dump] = [a for a in actions if a.kind == "exec" and a.program in ("env", "printenv", "set")]
    return dump.risk


@pytest.mark.parametrize("command", ["env | grep -i node", "printenv | grep PATH", "env | grep -E 'PATH|HOME'",
                                     "set | grep -i java", "env | grep ^PATH=", "env | grep -c PATH | head -1"])
def test_a_grep_for_plain_names_filters_the_dump(command):
    assert risk(command) == "filtered-env"


@pytest.mark.parametrize("command", ["env", "env | sort", "env | grep -v PATH", "env | grep .", "env | grep -i key",
                                     "env | grep -i token", "env | grep DATABASE_URL", "env | grep -i proxy",
                                     "env | grep -f names.txt", "env | tee env.txt", "env | grep -e PATH -e HOME"])
def test_any_other_consumer_or_pattern_is_a_dump(command):
    assert risk(command) == ""


def test_a_pattern_matching_a_variable_that_holds_a_credential_is_a_dump():
    assert risk("env | grep -i node", {"NODE_AUTH_TOKEN": "npm_abcdefghijklmnopqrstuvwxyz0123456789"}) == ""
    assert risk("env | grep -i node", {"NODE_OPTS": "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB"}) == ""
