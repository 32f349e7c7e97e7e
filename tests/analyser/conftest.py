"""Shared fixtures for the analyser tests: a fixed project, home and environment."""

from __future__ import annotations

import pytest

from vectimus.analyser import analyse
from vectimus.model import ToolCall
from vectimus.paths import Places

PROJECT = "/home/u/proj"   # not on this machine: paths resolve without symlinks getting in the way
HOME = "/home/u"
ENV = {"HOME": HOME, "TMPDIR": "/tmp", "USER": "u"}


def places(cwd: str = PROJECT) -> Places:
    """The places every analyser test classifies against."""
    return Places(cwd=cwd, project=PROJECT, home=HOME, tmp_dirs=("/tmp", "/var/tmp", "/dev/shm"))


def shell(command: str, shell: str = "bash", cwd: str = PROJECT):
    """Analyse a shell command run in the test project."""
    call = ToolCall(agent="test", tool="Bash", kind="shell", cwd=cwd, project_dir=PROJECT,
                    command=command, shell=shell)
    return analyse(call, places(cwd), ENV)


def call(kind: str, tool: str, **fields):
    """Analyse a non-shell tool call."""
    return analyse(ToolCall(agent="test", tool=tool, kind=kind, cwd=PROJECT, project_dir=PROJECT,
                            **fields), places(), ENV)


@pytest.fixture
def run_shell():
    return shell
