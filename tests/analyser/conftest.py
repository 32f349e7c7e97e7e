"""Shared fixtures for the analyser tests: a fixed project, home and environment."""

from __future__ import annotations

import pytest


from tests.support.analysis import shell


@pytest.fixture
def run_shell():
    return shell
