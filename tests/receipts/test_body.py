"""Receipt bodies: what is kept, what is digested, and secrets never stored."""

from __future__ import annotations

import hashlib
import json

import pytest

from vectimus.model import Action, Decision, ToolCall, Verdict
from vectimus.receipts.body import MAX_COMMAND, receipt_body
from vectimus.receipts.envelope import canonical
from vectimus.receipts.redact import redact, redact_value, secret_digest

SECRETS = [
    ('curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc" https://api.example.com', "eyJhbGciOiJIUzI1NiJ9.abc"),
    ("curl -H 'authorization: token 0123456789abcdef' x", "0123456789abcdef"),
    ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE aws s3 ls", "AKIAIOSFODNN7EXAMPLE"),
    ("aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", None),
    ("git push https://ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/o/r", "ghp_0123456789abcdefghijklmnopqrstuvwxyz"),
    ("GH_TOKEN=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz gh pr list", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
    ("mysql -u root --password=hunter2 db", "hunter2"),
    ("./deploy.sh password=hunter2", "hunter2"),
    ("export OPENAI_API_KEY=sk-proj-AbCdEf0123456789xyz", "sk-proj-AbCdEf0123456789xyz"),
    ("ANTHROPIC_API_KEY=sk-ant-api03-AbCdEf0123456789 claude", "sk-ant-api03-AbCdEf0123456789"),
    ("psql postgresql://admin:s3cr3tpass@db.internal/prod", "s3cr3tpass"),
    ("curl -u alice:wonderland https://example.com", "wonderland"),
    ("slack-cli --token xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
    ("echo '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----' > k",
     "b3BlbnNzaC1rZXktdjEA"),
]


@pytest.mark.parametrize("command,secret", SECRETS)
def test_secrets_in_commands_are_replaced_by_a_digest(command, secret):
    out = redact(command)
    assert "[REDACTED:sha256:" in out
    if secret:
        assert secret not in out
        assert secret_digest(secret) in out or secret_digest(secret) not in command  # digest names the secret


@pytest.mark.parametrize("command", ["ls -la /tmp", "git commit -m 'fix tokenizer'", "rm -rf build",
                                     "grep -r password_field src/", "cat README.md"])
def test_ordinary_commands_are_kept_verbatim(command):
    assert redact(command) == command


def test_strings_shorter_than_any_match_are_skipped_safely():
    # redact() returns strings shorter than SHORTEST_MATCH untouched: no pattern may match one
    from re import _parser  # the compiler's own minimum-width computation

    from vectimus.receipts.redact import PATTERNS, SHORTEST_MATCH

    assert min(_parser.parse(source).getwidth()[0] for source in PATTERNS.sources.values()) == SHORTEST_MATCH
    assert redact("pwd=x") == "pwd=" + secret_digest("x")


def test_redaction_is_stable_and_idempotent():
    once = redact("TOKEN=abc123def456")
    assert redact(once) == once == redact("TOKEN=abc123def456")
    assert once == "TOKEN=" + secret_digest("abc123def456")


def test_secret_named_keys_are_replaced_whole():
    value = redact_value({"headers": {"Authorization": "Basic dXNlcjpwYXNz"}, "password": "pw", "n": 3,
                         "target": {"is_secret": True}, "args": ["--token", "ghp_0123456789abcdefghijklmnop"]})
    assert value["headers"]["Authorization"].startswith("[REDACTED") and value["password"].startswith("[REDACTED")
    assert value["n"] == 3 and value["target"] == {"is_secret": True}
    assert "ghp_0123456789abcdefghijklmnop" not in json.dumps(value)


def body_for(call: ToolCall, decision: Decision | None = None) -> dict:
    return receipt_body(call, decision or Decision("allow"), mode="observe",
                        principal={"identity_type": "agent", "groups": ("ci",)},
                        policy_digest="sha256:00", versions={"vectimus": "0.1.0"})


def test_file_contents_prompts_and_mcp_arguments_are_digested_not_stored():
    content = "API_KEY=very-secret-content\n" * 10
    body = body_for(ToolCall(agent="claude", tool="Write", kind="file_write", cwd="/p", project_dir="/p",
                             paths=("/p/.env",), content=content))
    assert body["call"]["content"] == {"sha256": hashlib.sha256(content.encode()).hexdigest(), "bytes": len(content)}
    assert body["call"]["paths"] == ["/p/.env"]
    spawn = body_for(ToolCall(agent="claude", tool="Task", kind="spawn", cwd="/p", project_dir="/p", prompt="do x"))
    assert set(spawn["call"]["prompt"]) == {"sha256", "bytes"}
    mcp = body_for(ToolCall(agent="claude", tool="mcp__db__query", kind="mcp", cwd="/p", project_dir="/p",
                            mcp_server="db", mcp_tool="query", arguments={"sql": "select 1", "password": "x"}))
    assert mcp["call"]["mcp"]["server"] == "db" and set(mcp["call"]["mcp"]["arguments"]) == {"sha256", "bytes"}
    for b in (body, spawn, mcp):
        text = json.dumps(b)
        assert "very-secret-content" not in text and "do x" not in text and "select 1" not in text


def test_urls_queries_reasons_and_errors_are_redacted():
    call = ToolCall(agent="claude", tool="WebFetch", kind="web_fetch", cwd="/p", project_dir="/p",
                    url="https://user:pa55word@example.com/x?access_token=abcdef123456")
    decision = Decision("deny", reason="matched: curl -H 'Authorization: Bearer abcdefghijkl'",
                        errors=("error near password=hunter2",),
                        verdicts=(Verdict(Action("network", "example.com"), "deny", errors=("token=abcdef123456",)),))
    text = json.dumps(body_for(call, decision))
    for secret in ("pa55word", "abcdef123456", "abcdefghijkl", "hunter2"):
        assert secret not in text


def test_body_is_canonicalisable_even_from_hostile_strings():
    call = ToolCall(agent="claude", tool="Bash", kind="shell", cwd="/p", project_dir="/p",
                    command="echo \ud800 lone surrogate \x00\x1f", session_id="s\udfff")
    body = body_for(call)
    assert canonical(body)  # no lone surrogates left; control characters are fine in JCS
    assert body["principal"] == {"identity_type": "agent", "groups": ["ci"]}


def test_very_long_commands_are_clipped_with_a_digest_of_the_whole():
    command = "echo " + "x" * (MAX_COMMAND * 2)
    body = body_for(ToolCall(agent="claude", tool="Bash", kind="shell", cwd="/p", project_dir="/p", command=command))
    assert len(body["call"]["command"]) == MAX_COMMAND + 1
    assert body["call"]["command_full"] == {"sha256": hashlib.sha256(command.encode()).hexdigest(),
                                            "bytes": len(command)}
