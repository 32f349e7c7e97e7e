"""Shared fixtures for the analyser tests: a fixed project, home and environment; a real project
on disk (``tree``)."""

from __future__ import annotations

import pytest
from tests.support.analysis import shell
from tests.support.runs import Tree


@pytest.fixture
def run_shell():
    return shell


@pytest.fixture
def tree(tmp_path):
    """A temporary project with HOME beside it, whose files the analyser reads."""
    return Tree(tmp_path)
