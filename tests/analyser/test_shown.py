"""Code that prints a credential from the environment where the agent reads it, in each language,
(Python, JavaScript, Ruby, Perl, PHP, Lua, awk, R) is recorded as the shell's ``echo "$GITHUB_TOKEN"`` is (an exec whose secrets say "environment",
which ``vectimus-secrets-005`` refuses); what only derives from the variable, what goes to a file or
a pipe, and variables that are not credentials show nothing."""

from __future__ import annotations

import pytest
from tests.support.analysis import shell


def shows(command: str) -> bool:
    return any(a.kind == "exec" and "environment" in a.secrets for a in shell(command))


@pytest.mark.parametrize("command", [
    "python3 -c 'import os; print(os.environ[\"GITHUB_TOKEN\"])'",
    "python3 -c 'import os; t = os.getenv(\"AWS_SECRET_ACCESS_KEY\"); print(\"key:\", t)'",
    "python3 -c 'import os; k = os.environ.get(\"OPENAI_API_KEY\", \"\"); print(f\"k={k!r}\")'",
    "python3 -c 'import os, sys; sys.stderr.write(os.environ[\"NPM_TOKEN\"] + \"\\n\")'",
    "python3 -c 'import os, sys; print(os.environ[\"NPM_TOKEN\"], file=sys.stderr)'",
    "python3 -c 'import os, json; print(json.dumps({\"k\": os.environ[\"STRIPE_SECRET_KEY\"]}))'",
    "python3 -c 'import os, logging; logging.warning(\"%s\", os.environ[\"ANTHROPIC_API_KEY\"])'",
    "python3 -c 'import os, sys; print(os.environ[sys.argv[1]])' GITHUB_TOKEN",
    "node -e 'console.log(process.env.GITHUB_TOKEN)'",
    "node -e 'const {NPM_TOKEN} = process.env; console.log(`t=${NPM_TOKEN}`)'",
    "node -e 'process.stdout.write(process.env.AWS_SECRET_ACCESS_KEY + \"\\n\")'",
    "node -e 'console.log(JSON.stringify({t: process.env.GITHUB_TOKEN}))'",
    "node --env-file=.env -e 'console.log(process.env.API_KEY)'",
    "ruby -e 'puts ENV[\"GITHUB_TOKEN\"]'",
    "ruby -e 'print \"t=#{ENV.fetch(\"NPM_TOKEN\")}\"'",
    "ruby -e 'STDERR.puts \"k=\" + ENV[\"STRIPE_SECRET_KEY\"]'",
    "perl -e 'print $ENV{GITHUB_TOKEN}'",
    "perl -e 'print \"t=$ENV{NPM_TOKEN}\\n\"'",
    "perl -e 'print STDERR $ENV{AWS_SECRET_ACCESS_KEY}'",
    "php -r 'echo getenv(\"GITHUB_TOKEN\");'",
    "php -r 'var_dump($_ENV[\"NPM_TOKEN\"]);'",
    "lua -e 'print(\"k=\" .. os.getenv(\"GITHUB_TOKEN\"))'",
    "awk 'BEGIN { print \"t=\" ENVIRON[\"GITHUB_TOKEN\"] }'",
    "Rscript -e 'print(Sys.getenv(\"GITHUB_TOKEN\"))'",
    "Rscript -e 'cat(paste0(\"t=\", Sys.getenv(\"NPM_TOKEN\")), \"\\n\")'",
    "Rscript -e 'writeLines(Sys.getenv(\"AWS_SECRET_ACCESS_KEY\"))'",
])
def test_printing_a_credential_shows_it(command):
    assert shows(command), command


@pytest.mark.parametrize("command", [
    "python3 -c 'import os; print(\"set\" if os.getenv(\"GITHUB_TOKEN\") else \"missing\")'",
    "python3 -c 'import os; print(len(os.environ[\"GITHUB_TOKEN\"]), bool(os.getenv(\"NPM_TOKEN\")))'",
    "python3 -c 'import os; print(\"GITHUB_TOKEN\" in os.environ, os.getenv(\"NPM_TOKEN\") is None)'",
    "python3 -c 'import os; print(os.environ[\"GITHUB_TOKEN\"][:4] + \"...\")'",
    "python3 -c 'import os; print(os.environ.get(\"HOME\"), os.getenv(\"GIT_AUTHOR_NAME\"), os.getenv(\"AWS_REGION\"))'",
    "python3 -c 'import os; open(\".npmrc\", \"w\").write(\"_authToken=\" + os.environ[\"NPM_TOKEN\"])'",
    "python3 -c 'import os; print(os.environ[\"GITHUB_TOKEN\"])' > token.txt",
    "python3 -c 'import os; print(os.environ[\"GITHUB_TOKEN\"])' | docker login ghcr.io -u me --password-stdin",
    "node -e 'console.log(!!process.env.GITHUB_TOKEN, \"GITHUB_TOKEN\" in process.env)'",
    "node -e 'console.log(process.env.GITHUB_TOKEN ? \"set\" : \"unset\", process.env.GITHUB_TOKEN.length)'",
    "node -e 'console.log(process.env.NODE_ENV, process.env.CI)'",
    "ruby -e 'puts ENV[\"GITHUB_TOKEN\"].length, ENV[\"RAILS_ENV\"]'",
    "ruby -e 'puts ENV[\"GITHUB_TOKEN\"] ? \"set\" : \"unset\"'",
    "perl -e 'print length($ENV{GITHUB_TOKEN}), $ENV{HOME}'",
    "perl -e 'open(my $fh, \">\", \".npmrc\"); print $fh \"token=\" . $ENV{NPM_TOKEN}'",
    "php -r 'echo strlen(getenv(\"GITHUB_TOKEN\")), getenv(\"APP_ENV\");'",
    "lua -e 'print(#os.getenv(\"GITHUB_TOKEN\"), os.getenv(\"HOME\"))'",
    "awk 'BEGIN { print length(ENVIRON[\"GITHUB_TOKEN\"]), ENVIRON[\"HOME\"] }'",
    "awk 'BEGIN { print ENVIRON[\"GITHUB_TOKEN\"] > \".token\" }'",
    "Rscript -e 'print(nchar(Sys.getenv(\"GITHUB_TOKEN\")) > 0); print(Sys.getenv(\"HOME\"))'",
    "Rscript -e 'cat(Sys.getenv(\"GITHUB_TOKEN\"), file = \".token\"); writeLines(Sys.getenv(\"NPM_TOKEN\"), \".npmrc\")'",
])
def test_what_only_derives_from_a_credential_or_goes_elsewhere_shows_nothing(command):
    assert not shows(command), command


def test_a_comparison_with_the_environment_is_not_a_dump_of_it():
    for command in ("python3 -c 'import os; print(\"HOME\" in os.environ, not os.environ)'",
                    "node -e 'console.log(\"HOME\" in process.env)'"):
        assert not any(a.kind == "file_read" and a.resource == "/proc/self/environ" for a in shell(command)), command
    assert any(a.resource == "/proc/self/environ" for a in shell("python3 -c 'import os; print(dict(os.environ))'"))
