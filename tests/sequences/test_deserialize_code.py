"""Objects loaded from data the agent wrote where the hook could not read it, through the installed
hook: Ruby's Marshal.load and PHP's unserialize (neither ruby nor php is installed here: these check
the hook's answers). The same program over the repository's own data, and a JSON load, are allowed."""

from __future__ import annotations

import pytest
from tests.support.sequences import BLOCKED, Session, commit_files, unseen_into

pytestmark = pytest.mark.sequences

PROGRAMS = [("load.rb", "state = Marshal.load(File.binread('cache/state.bin'))\n", "ruby load.rb"),
            ("load.php", "<?php\n$state = unserialize(file_get_contents('cache/state.bin'));\n", "php load.php")]


@pytest.mark.parametrize("path, code, command", PROGRAMS, ids=[p[2] for p in PROGRAMS])
def test_objects_loaded_from_the_agents_data(installed, path, code, command):
    commit_files(installed, {path: code, "cache/state.bin": "repository data\n"})
    session = Session(installed)
    try:
        assert session.decide("Bash", command=command)[0] == "allow", "the repository's own data"
        assert session.run([unseen_into("cache/state.bin", "O:6:\"Gadget\":0:{}")]) == ["allow"], session.describe()
        decision, reason = session.decide("Bash", command=command)
        assert decision in BLOCKED, (command, reason)
    finally:
        session.close()


def test_json_of_the_agents_data_is_allowed(installed):
    commit_files(installed, {"load.rb": "require 'json'\nstate = JSON.parse(File.read('cache/state.json'))\n"})
    session = Session(installed)
    try:
        assert session.run([unseen_into("cache/state.json", '{"a": 1}')]) == ["allow"], session.describe()
        assert session.decide("Bash", command="ruby load.rb")[0] == "allow"
    finally:
        session.close()
