"""``dotenv``, python-dotenv's command line and library and npm's dotenv-cli: printing a file's
values reads it as ``cat .env`` does; the command ``dotenv run`` starts is judged as it is (an
environment dump there prints the file's values); loading the file to run the project's own
commands, and the non-secret example file, are ordinary work."""

from __future__ import annotations

import pytest
from tests.support.analysis import shell


def reads_env(command: str) -> bool:
    return any(a.kind == "file_read" and a.resource.endswith("/.env") for a in shell(command))


def dumps(command: str) -> bool:
    return any(a.kind == "exec" and a.program in ("env", "printenv") and not a.args for a in shell(command))


@pytest.mark.parametrize("command", [
    "dotenv list", "dotenv -f .env get API_KEY", "dotenv --file=.env list --format=json", "python3 -m dotenv list",
    "dotenv -e .env -p API_KEY", "dotenv -p DATABASE_URL", "npx dotenv -e .env -p DATABASE_URL",
    "python3 -c 'from dotenv import dotenv_values; print(dotenv_values())'",
    "python3 -c 'import dotenv; print(dotenv.dotenv_values(dotenv.find_dotenv()))'",
])
def test_printing_the_files_values_reads_it(command):
    assert reads_env(command), command


@pytest.mark.parametrize("command", [
    "dotenv run -- printenv", "dotenv run --override env", "dotenv -f .env run -- env",
    "python3 -m dotenv run -- printenv", "dotenv -e .env -- printenv", "dotenv printenv",
    "npx dotenv-cli -- printenv",
])
def test_the_command_dotenv_runs_is_judged_as_it_is(command):
    assert dumps(command), command


@pytest.mark.parametrize("command", [
    "dotenv run -- pytest -q", "dotenv run python3 manage.py migrate", "dotenv -e .env.test -- jest",
    "dotenv -- npm test", "dotenv -f .env.example list", "dotenv set DEBUG 1", "npx dotenv-cli -e .env.test -- jest",
    "python3 -c 'from dotenv import load_dotenv; load_dotenv()'",
    "python3 -c 'from dotenv import dotenv_values; print(sorted(dotenv_values(\".env.example\")))'",
])
def test_running_the_projects_commands_with_the_file_loaded_is_ordinary(command):
    assert not reads_env(command) and not dumps(command), command
