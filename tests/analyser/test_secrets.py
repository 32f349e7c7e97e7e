"""The credential detector for outbound content: one must-find and one must-not-find per pattern."""

from __future__ import annotations

import pytest

from vectimus.analyser.facts import secrets

# Built from pieces so no complete credential-shaped string sits in the repository.
GH = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" + "k1L2m3N4o5P6q7R8"
JWT = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

FOUND = {
    "private-key": ("-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3BlbnNzaC1r", "-----BEGIN PUBLIC KEY-----"),
    "aws-access-key": ("AKIA" + "IOSFODNN7EXAMPLE", "AKIA-not-a-key"),
    "aws-secret-key": ("aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key = "),
    "github-token": (GH, "ghp_short"),
    "gitlab-token": ("glpat-" + "Xy9aB3cD4eF5gH6iJ7kL", "glpat-"),
    "slack-token": ("xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKl", "xoxb-"),
    "slack-webhook": ("https://hooks.slack.com/services/" + "T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX", "https://hooks.slack.com/"),
    "anthropic-key": ("sk-ant-api03-" + "AbCdEfGhIjKlMnOpQrStUvWxYz012345", "sk-ant-"),
    "openai-key": ("sk-proj-" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGh", "sk-learn"),
    "google-api-key": ("AIza" + "SyA1234567890abcdefghijklmnopqrstuv", "AIza"),
    "gcp-service-account": ('"private_key_id": "' + "0123456789abcdef" * 2 + '01234567"', '"private_key_id": ""'),
    "stripe-key": ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "sk_live_"),
    "npm-token": ("npm_" + "abcdefghijklmnopqrstuvwxyz0123456789", "npm_install"),
    "pypi-token": ("pypi-AgEIcHlwaS5vcmc" + "A" * 60, "pypi-"),
    "huggingface-token": ("hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "hf_hub"),
    "sendgrid-key": ("SG." + "a" * 22 + "." + "b" * 43, "SG.x"),
    "twilio-key": ("SK" + "0123456789abcdef" * 2, "SKU"),
    "telegram-bot-token": ("123456789:AA" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q", "123456789:"),
    "discord-webhook": ("https://discord.com/api/webhooks/123/" + "AbCdEfGhIjKlMnOpQrStUvWxYz012345", "https://discord.com/"),
    "azure-storage-key": ("AccountKey=" + "A" * 86 + "==", "AccountKey="),
    "jwt": (JWT, "eyJ.eyJ.x"),
    "url-password": ("postgres://app:" + "s3cretPassw0rd@db.example.com/app", "postgres://app@db.example.com/app"),
    "bearer-token": ("Authorization: Bearer " + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7", "Authorization: Bearer $TOKEN"),
    "basic-auth": ("Authorization: Basic " + "YWxhZGRpbjpvcGVuc2VzYW1l", "Authorization: Basic"),
    "secret-assignment": ("api_key=" + "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "password=hunter2"),
}


def test_every_pattern_has_cases_and_anchors():
    assert set(FOUND) == set(secrets.PATTERNS) == set(secrets.ANCHORS)
    for kind, (present, _) in FOUND.items():  # an anchor never hides a match
        assert any(a in present.lower() for a in secrets.ANCHORS[kind]), kind


@pytest.mark.parametrize("kind", sorted(FOUND))
def test_pattern_finds_its_kind_and_not_its_look_alike(kind):
    present, absent = FOUND[kind]
    assert kind in secrets.kinds(f"x {present} y"), present
    assert kind not in secrets.kinds(f"x {absent} y"), absent


def test_values_never_leave_only_kinds_and_digests():
    found = secrets.find(f"token {GH}")
    assert found and all(GH not in kind and GH not in digest for kind, digest in found)
    assert found[0][1] == secrets.digest(GH) and len(found[0][1]) == len("sha256:") + 16


@pytest.mark.parametrize("text", [
    "password=changeme", "password: ${DB_PASSWORD}", "token=<your-token-here>", "git commit -m 'fix token refresh'",
    "https://user:x-oauth-basic@github.com/acme/app", "curl https://api.example.com/items?page=2", "hello world",
    "SECRET_KEY=REDACTED", "api_key=xxxxxxxxxxxxxxxxxxxx",
])
def test_ordinary_text_has_no_credential(text):
    assert secrets.kinds(text) == ()


def test_owners_and_environment_names():
    assert secrets.owned_by("github-token", "api.github.com") and not secrets.owned_by("github-token", "evil.com")
    assert secrets.env_names('curl -H "Authorization: Bearer $GITHUB_TOKEN" ${API_KEY} $HOME') == ["GITHUB_TOKEN", "API_KEY"]
    assert secrets.env_owned_by("GITHUB_TOKEN", "api.github.com") and not secrets.env_owned_by("GITHUB_TOKEN", "x.io")
