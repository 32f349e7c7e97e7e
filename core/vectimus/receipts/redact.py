"""Secret redaction for receipts and evaluation logs: a secret is replaced by a short digest.

``[REDACTED:sha256:<16 hex>]`` names the SHA-256 of the secret, so two records can be seen to
carry the same credential without either storing it. A low-entropy password can be guessed from
its digest; the digest is for correlation, not secrecy against brute force.
"""

from __future__ import annotations

import re

from vectimus.anchored import AnchoredPatterns, folded
from vectimus.sha256 import sha256

# Each pattern's last group is the secret; everything before it is kept. Each compiles the first
# time a text holds one of its anchors (vectimus.anchored).
PATTERNS = AnchoredPatterns({
    "private-key": r"(?is)(-----BEGIN [A-Z ]*PRIVATE KEY-----)(.*?-----END [A-Z ]*PRIVATE KEY-----)",
    "authorization": r"(?i)(authorization\s*[:=]\s*(?:bearer|basic|token|digest|negotiate)?\s*)([^\s'\"]+)",
    "bearer": r"(?i)(\bbearer\s+)([A-Za-z0-9._~+/=-]{8,})",
    "aws-access-key": r"()\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16})\b",
    "github-token": r"()\b((?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,})",
    "gitlab-token": r"()\b(glpat-[A-Za-z0-9_-]{20,})",
    "sk-key": r"()\b(sk-[A-Za-z0-9_-]{16,})",
    "slack-token": r"()\b(xox[abposr]-[A-Za-z0-9-]{10,})",
    "google-api-key": r"()\b(AIza[0-9A-Za-z_-]{35})",
    "npm-token": r"()\b(npm_[A-Za-z0-9]{36})",
    "jwt": r"()\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
    "aws-secret": r"(?i)(\baws_(?:secret_access_key|session_token)[\"']?\s*[=:]?\s*[\"']?)([A-Za-z0-9/+=]{16,})",
    "url-password": r"(://[^/\s:@\[]+:)([^/\s@]+)(?=@)",
    "user-option": r"(?i)((?:^|\s)(?:-u|--user)\s+['\"]?[^\s:'\"]+:)([^\s'\"]+)",
    "secret-option": r"(?i)(--(?:password|passwd|pass|token|secret|api-?key|access-?key|client-?secret|auth-?token)"
                     r"(?:=|\s+)['\"]?)([^\s'\"]+)",
    "secret-assignment": r"(?i)(\b[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api_?key|apikey|access_?key"
                         r"|private_?key|credentials?)[A-Za-z0-9_.-]*[\"']?\s*[=:]\s*[\"']?)([^\s'\"&;,]+)",
}, {
    "private-key": ("private key-----",), "authorization": ("authorization",), "bearer": ("bearer",),
    "aws-access-key": ("akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa"),
    "github-token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), "gitlab-token": ("glpat-",),
    "sk-key": ("sk-",), "slack-token": ("xox",), "google-api-key": ("aiza",), "npm-token": ("npm_",),
    "jwt": ("eyj",), "aws-secret": ("aws_secret_access_key", "aws_session_token"), "url-password": ("://",),
    "user-option": ("-u",),  # --user holds it too
    "secret-option": ("--pass", "--token", "--secret", "--api", "--access", "--client", "--auth"),
    "secret-assignment": ("pass", "pwd", "secret", "token", "key", "credential"),
})

SHORTEST_MATCH = 5  # no pattern matches fewer characters ("pwd=x"): shorter strings are left as they are
# What a key that names a secret holds (in any case): its string value is replaced whole.
_SECRET_KEY_PARTS = ("password", "passwd", "secret", "token", "apikey", "api_key", "authorization", "credential",
                     "privatekey", "private_key")
MARK = "[REDACTED:sha256:"


def secret_digest(secret: str) -> str:
    """The marker that replaces ``secret``."""
    return f"{MARK}{sha256(secret.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}]"


def _replace(match: re.Match) -> str:
    group = match.lastindex or 0  # every pattern captures the secret as its last group
    secret = match.group(group)
    if secret.startswith(MARK):
        return match.group(0)
    return match.group(0)[: match.start(group) - match.start()] + secret_digest(secret)


def redact(text: str) -> str:
    """``text`` with every recognised secret (tokens, keys, passwords) replaced by its digest."""
    if len(text) < SHORTEST_MATCH:
        return text
    # The anchors are looked for in the text as given: a digest put in a secret's place holds none,
    # so no pattern passed over could match after another's replacement.
    for _, pattern in PATTERNS.candidates(text):
        text = pattern.sub(_replace, text)
    return text


def redact_reason(reason: str, policies) -> str:
    """A decision's reason as it is recorded.

    A reason naming ``policies`` was composed by ``vectimus.engine`` from the policy's own words
    (id, description, suggested alternative) and the call's text, which was redacted when the
    reason was composed: it is kept verbatim, since patterns meant for the call's text would garble
    the policy's (``vectimus-secrets-001: Reads`` reads like ``name: secret``). Any other reason
    (an internal failure's message) is redacted whole.
    """
    return reason if policies else redact(reason)


def _secret_key(key: str) -> bool:
    lowered = folded(key)
    return any(part in lowered for part in _SECRET_KEY_PARTS)


def redact_value(value):
    """A JSON-like value with secrets redacted in every string; a secret-named key's string is replaced whole."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: (secret_digest(v) if isinstance(v, str) and v and _secret_key(str(k))
                    and not v.startswith(MARK) else redact_value(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    return value
