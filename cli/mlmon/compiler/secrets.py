"""What a credential looks like: values a spec must never hold inline (pure).

``secret_kind(text)`` names the kind of credential a string looks like, or returns None. The
validator asks it about every string and every key of a spec (descriptions, labels, URLs,
PromQL, ...), reports a match as MLM208 and never echoes the value. Secrets belong in files the
servers read at run time (``api_url_file``, ``routing_key_file``, ...).
"""

from __future__ import annotations

import re

# (what it looks like, pattern); the first match names the kind
SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Slack webhook URL", re.compile(r"https://hooks\.slack(-gov)?\.com/\S+")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Grafana service-account token", re.compile(r"\bglsa_[A-Za-z0-9_]{20,}")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}")),
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.")),
    ("a bearer token", re.compile(r"\b[Bb]earer\s+[A-Za-z0-9._~+/-]{16,}")),
    # PagerDuty integration (routing/service) keys are 32 hexadecimal characters
    ("a PagerDuty integration key (32 hexadecimal characters)", re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32}(?![0-9A-Za-z])")),
    ("a URL with a user name or password", re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s?#@]+@")),
    (
        "a URL with a credential in its query string",
        re.compile(
            r"[?&](access_token|api[_-]?key|apikey|auth|auth_token|client_secret|key|passwd|password|private_token|pwd|secret|sig|signature|token"
            r"|x-amz-signature|x-goog-signature)=[^&#\s]",
            re.IGNORECASE,
        ),
    ),
)


def secret_kind(text: str) -> str | None:
    """What kind of credential ``text`` looks like ("a Slack webhook URL", ...), or None."""
    for kind, pattern in SECRET_PATTERNS:
        if pattern.search(text):
            return kind
    return None
