"""Credentials in content that leaves the machine: URLs, headers, bodies, messages, files sent.

``find(text)`` names each credential by its kind (``aws-access-key``, ``github-token``, ``jwt`` …)
and a digest; values never leave this module. Kinds with a home service (a GitHub token and
github.com) say so in ``OWNERS``, so sending a token to the service that issued it is use, not a leak.
Secret-looking environment variables (``$GITHUB_TOKEN``) are named by ``env_names``.

The rules are a compiled set (see tests/analyser/test_secrets.py, one test per pattern): the
maintained scanners (detect-secrets, with requests and yaml) cost a few hundred milliseconds to
import, more than a whole hook call. Patterns compile on first use, so calls without content to
scan pay nothing.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import math
import re

from vectimus.anchored import AnchoredPatterns
from vectimus.sha256 import sha256

# kind -> pattern; group "v" (or the whole match) is the credential.
PATTERNS: dict[str, str] = {
    "private-key": r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----",
    "aws-access-key": r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z2-7]{16}\b",
    "aws-secret-key": r"(?i)aws_?secret(?:_?access)?_?key[\"']?\s*[:=]\s*[\"']?(?P<v>[A-Za-z0-9/+=]{40})\b",
    "github-token": r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
    "gitlab-token": r"\bgl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_-]{20,}",
    "slack-token": r"\bxox[abposre]-[A-Za-z0-9-]{10,}",
    "slack-webhook": r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}",
    "anthropic-key": r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{20,}",
    "openai-key": r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|\bsk-proj-[A-Za-z0-9_-]{40,}",
    "google-api-key": r"\bAIza[0-9A-Za-z_-]{35}\b",
    "gcp-service-account": r"\"private_key_id\"\s*:\s*\"[a-f0-9]{40}\"",
    "stripe-key": r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,}\b",
    "npm-token": r"\bnpm_[A-Za-z0-9]{36}\b",
    "pypi-token": r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}",
    "huggingface-token": r"\bhf_[A-Za-z]{34}\b",
    "sendgrid-key": r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b",
    "twilio-key": r"\bSK[0-9a-f]{32}\b",
    "telegram-bot-token": r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b",
    "discord-webhook": r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{30,}",
    "azure-storage-key": r"(?i)AccountKey=(?P<v>[A-Za-z0-9+/]{80,}={0,2})",
    "jwt": r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    "url-password": r"\b[a-z][a-z0-9+.-]{1,20}://[^/\s:@'\"]+:(?P<v>[^/\s@'\"]{3,})@[^\s/'\"]",
    "bearer-token": r"(?i)\b(?:authorization\s*[:=]\s*)?(?:bearer|token)\s+(?P<v>[A-Za-z0-9._~+/=-]{20,})",
    "basic-auth": r"(?i)\bauthorization\s*[:=]\s*basic\s+(?P<v>[A-Za-z0-9+/=]{12,})",
    # A value beside a secret-like name, kept only when it looks random (see _random)
    "secret-assignment": r"(?i)(?:^|[^A-Za-z0-9])[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api_?key|apikey|"
                         r"access_?key|private_?key|client_?secret|credentials?)[A-Za-z0-9_.-]*[\"']?\s*(?:[:=]|=>)\s*"
                         r"[\"']?(?P<v>[^\s\"'&;,)}]{12,})",
}
# Text (lower-cased) a match of each kind must contain: a kind whose anchors are all absent is not
# tried, so most text costs a few substring tests instead of every pattern (vectimus.anchored).
ANCHORS: dict[str, tuple[str, ...]] = {
    "private-key": ("private key",), "aws-access-key": ("akia", "asia", "abia", "acca", "agpa", "aida", "aroa",
                                                        "aipa", "anpa", "anva"),
    "aws-secret-key": ("secret",), "github-token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "gitlab-token": ("gl",), "slack-token": ("xox",), "slack-webhook": ("hooks.slack.com",),
    "anthropic-key": ("sk-ant-",), "openai-key": ("sk-",), "google-api-key": ("aiza",),
    "gcp-service-account": ("private_key_id",), "stripe-key": ("_live_", "_test_"), "npm-token": ("npm_",),
    "pypi-token": ("pypi-",), "huggingface-token": ("hf_",), "sendgrid-key": ("sg.",), "twilio-key": ("sk",),
    "telegram-bot-token": (":aa",), "discord-webhook": ("discord",), "azure-storage-key": ("accountkey=",),
    "jwt": ("eyj",), "url-password": ("://",), "bearer-token": ("bearer", "token"), "basic-auth": ("basic",),
    "secret-assignment": ("pass", "secret", "token", "key", "credential"),
}
_RULES = AnchoredPatterns(PATTERNS, ANCHORS)
# Where a credential of a kind is at home: sending it there is using it.
OWNERS: dict[str, tuple[str, ...]] = {
    "github-token": ("github.com", "githubusercontent.com", "ghcr.io"),
    "gitlab-token": ("gitlab.com",),
    "slack-token": ("slack.com",), "slack-webhook": ("hooks.slack.com",),
    "anthropic-key": ("anthropic.com",), "openai-key": ("openai.com",),
    "google-api-key": ("googleapis.com", "google.com"), "stripe-key": ("stripe.com",),
    "npm-token": ("npmjs.org", "npmjs.com"), "pypi-token": ("pypi.org",),
    "huggingface-token": ("huggingface.co",), "sendgrid-key": ("sendgrid.com",),
    "twilio-key": ("twilio.com",), "telegram-bot-token": ("api.telegram.org",),
    "discord-webhook": ("discord.com", "discordapp.com"), "aws-access-key": ("amazonaws.com",),
    "aws-secret-key": ("amazonaws.com",),
}
# Environment variable names that hold credentials (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, PGPASSWORD …):
# one of these parts, or a key named by what it is for (API_KEY, PRIVATE_KEY …).
_SECRET_PARTS = {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "PGPASSWORD", "APIKEY", "CREDENTIAL",
                 "CREDENTIALS", "PAT", "DSN", "AUTH", "PASSPHRASE", "WEBHOOK"}
_KEY_KINDS = {"API", "ACCESS", "PRIVATE", "SECRET", "SIGNING", "ENCRYPTION", "MASTER", "LICENSE", "SERVICE"}
_ENV_REF = re.compile(r"\$\{?!?([A-Za-z_][A-Za-z0-9_]*)")
_SECRET_NAMES = {"DATABASE_URL", "REDIS_URL", "MONGODB_URI", "MONGO_URL", "AMQP_URL", "SENTRY_DSN"}


def secret_name(name: str) -> bool:
    """True for an environment variable name that says it holds a credential."""
    upper = name.upper()
    parts = upper.split("_")
    if upper in _SECRET_NAMES or any(p in _SECRET_PARTS for p in parts):
        return True
    return any(p == "KEY" and i and parts[i - 1] in _KEY_KINDS for i, p in enumerate(parts))


# Env-variable names whose service is known (a GitHub token to github.com is use, not a leak).
ENV_OWNERS: dict[str, tuple[str, ...]] = {
    "GITHUB": OWNERS["github-token"], "GH": OWNERS["github-token"], "GITLAB": OWNERS["gitlab-token"],
    "OPENAI": OWNERS["openai-key"], "ANTHROPIC": OWNERS["anthropic-key"], "SLACK": ("slack.com",),
    "NPM": OWNERS["npm-token"], "PYPI": OWNERS["pypi-token"], "TWINE": ("pypi.org",),
    "HF": OWNERS["huggingface-token"], "HUGGINGFACE": OWNERS["huggingface-token"],
    "STRIPE": OWNERS["stripe-key"], "AWS": ("amazonaws.com",), "DOCKER": ("docker.io", "docker.com"),
    "CLOUDFLARE": ("cloudflare.com",), "VERCEL": ("vercel.com",), "NETLIFY": ("netlify.com",),
    "SENTRY": ("sentry.io",), "DATADOG": ("datadoghq.com",), "DD": ("datadoghq.com",),
}
_PLACEHOLDER = re.compile(r"(?i)^(?:\$|<|\{|%|\*+$|x+$|\.\.\.|your|my[_-]|example|changeme|placeholder|redacted|"
                          r"dummy|sample|test|fake|none|null|true|false|undefined|secret$|password$|token$)")
_REDACTED = "[REDACTED"


def _entropy(value: str) -> float:
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _random(value: str) -> bool:
    """True for a value that looks generated rather than chosen (``hunter2`` and ``changeme`` do not)."""
    if _PLACEHOLDER.match(value) or value.startswith((_REDACTED, "/", "./", "~/")) or "://" in value:
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    return len(value) >= 16 and classes >= 2 and _entropy(value) >= 3.5


def find(text: str) -> list[tuple[str, str]]:
    """``(kind, digest)`` for every credential in ``text``."""
    if len(text) < 8:
        return []
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for kind, pattern in _RULES.candidates(text):
        for m in pattern.finditer(text):
            value = m.group("v") if "v" in m.re.groupindex and m.group("v") else m.group(0)
            if value.startswith(_REDACTED) or value in seen:
                continue
            if kind in ("secret-assignment", "url-password", "bearer-token") and not _plausible(kind, value):
                continue
            seen.add(value)
            found.append((kind, digest(value)))
    return found


def _plausible(kind: str, value: str) -> bool:
    if kind == "url-password":
        return not _PLACEHOLDER.match(value) and value not in ("x-oauth-basic",)
    return _random(value) or (kind == "bearer-token" and len(value) >= 32 and not _PLACEHOLDER.match(value))


def kinds(texts) -> tuple[str, ...]:
    """The kinds of credential found in any of ``texts`` (a string or an iterable of strings)."""
    if isinstance(texts, str):
        texts = (texts,)
    out: list[str] = []
    for text in texts:
        for kind, _ in find(text):
            if kind not in out:
                out.append(kind)
    return tuple(out)


def digest(value: str) -> str:
    """A short digest naming a credential without revealing it."""
    return "sha256:" + sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def owned_by(kind: str, host: str) -> bool:
    """True when ``host`` is (below) a service that issues credentials of ``kind``."""
    return any(host == d or host.endswith("." + d) for d in OWNERS.get(kind, ()))


def env_names(text: str) -> list[str]:
    """Secret-looking environment variables ``text`` expands (``$GITHUB_TOKEN``, ``${API_KEY}``)."""
    if "$" not in text:
        return []
    return [name for name in _ENV_REF.findall(text) if secret_name(name)]


def env_owned_by(name: str, host: str) -> bool:
    """True when an environment variable's service (by its prefix: GITHUB_, OPENAI_ …) is ``host``."""
    prefix = name.upper().split("_", 1)[0]
    return any(host == d or host.endswith("." + d) for d in ENV_OWNERS.get(prefix, ()))


_AUTH_PARAM = re.compile(r"(?i)^(?:access_?token|token|api_?key|key|auth|sig|signature|x-amz-[a-z-]+|"
                         r"client_?secret|code|password|pass|apikey)$")


def leaks(host: str, url, sent, auth) -> tuple[tuple[str, ...], bool]:
    """The credential kinds a request to ``host`` carries, and whether it sends any away.

    ``url``, ``sent`` and ``auth`` are ``Word``s. A credential counts as used, not sent, only in an
    auth slot (user info, an auth header, an auth-named query parameter) and, when its kind has a
    home service, only there. Data read from a secret (``Word.secret``) is always sent away.
    """
    from urllib.parse import parse_qsl, urlsplit

    places: list[tuple[str, bool, bool]] = []  # (text, in an auth slot, read from a secret)
    text = url.text
    try:
        parts = urlsplit(text) if "://" in text else None
    except ValueError:
        parts = None
    if parts is not None:
        places.append((parts.netloc.rpartition("@")[0], True, url.secret))
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            places.append((f"{name}={value}", bool(_AUTH_PARAM.match(name)), url.secret))
        places.append((parts.path, False, url.secret))
    else:
        places.append((text, False, url.secret))
    places += [(w.text, False, w.secret) for w in sent] + [(w.text, True, w.secret) for w in auth]
    found: list[str] = []
    leak = False
    for value, in_auth, from_secret in places:
        if from_secret:
            found.append("secret-read")
            leak = True
        for kind, _ in find(value):
            found.append(kind)
            if not in_auth or (kind in OWNERS and not owned_by(kind, host)):
                leak = True
        for name in env_names(value):
            found.append("environment")
            if not env_owned_by(name, host) and (not in_auth or name.upper().split("_", 1)[0] in ENV_OWNERS):
                leak = True
    return tuple(dict.fromkeys(found)), leak
