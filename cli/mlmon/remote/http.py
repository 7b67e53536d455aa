"""One HTTP client for every live-server target: timeouts, retries, TLS, auth, redaction.

- Timeouts: (connect, read) on every request; never a request without one.
- Retries: urllib3 ``Retry`` with exponential backoff, on idempotent methods only
  (GET, HEAD, PUT, DELETE). ``POST`` (``/-/reload``, Grafana saves) is never re-sent after the
  server may have seen it; a refused connection (nothing sent) is retried.
- TLS verification is on. ``MLMON_<TARGET>_CA_FILE`` names a CA bundle.
- Auth comes from the environment, ``MLMON_<TARGET>_TOKEN`` (bearer) or ``MLMON_<TARGET>_USER`` +
  ``MLMON_<TARGET>_PASSWORD`` (basic), or from what a context names (``mlmon.remote.contexts``):
  another variable, or a file. Never from argv. Read values lose the line break files end with.
- Every secret the client learns is registered with :func:`redact`, which the commands apply to
  everything they print, so tokens never reach logs, diffs or error messages.
- Transport and HTTP failures become :class:`RemoteError` naming the server, the URL and what
  failed; never a traceback.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mlmon.remote.errors import RemoteError

DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.2
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
RETRY_STATUSES = (429, 500, 502, 503, 504)

REDACTED = "<redacted>"

_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")
_AUTH_HEADER = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(bearer|basic)?\s*[^'\",\s}]+")


def register_secret(value: str | None) -> None:
    """Remember a secret value so :func:`redact` removes it from any text."""
    if value and len(value) >= 3:
        with _secrets_lock:
            _secrets.add(value)


def secret_value(raw: str | None, source: str, target: str, one_word: bool = True) -> str | None:
    """A token or password as read from a variable or a file: the line break a file or a Kubernetes
    secret ends with removed, registered for redaction. A token with a break or a space inside
    is refused (an HTTP header cannot carry it; the error would show it)."""
    if raw is None:
        return None
    value = raw.strip() if one_word else raw.rstrip("\r\n")
    register_secret(value)
    register_secret(raw)
    if one_word and any(c.isspace() or ord(c) < 32 for c in value):
        raise RemoteError(f"{target}: {source} has a line break or a space inside; a token is one word")
    return value or None


def _credential(auth: Mapping[str, str], kind: str, env: Mapping[str, str], prefix: str, target: str) -> str | None:
    """A token or password from the context (``<kind>_file`` or ``<kind>_env``), else from
    ``MLMON_<TARGET>_<KIND>``; stripped of its line break, registered for redaction."""
    one_word = kind == "token"
    if f"{kind}_file" in auth:
        path = auth[f"{kind}_file"]
        try:
            with open(path, encoding="utf-8") as fh:
                raw = fh.read()
        except OSError as exc:
            raise RemoteError(f"{target}: cannot read the {kind} file {path}: {exc.strerror or exc}") from None
        return secret_value(raw, f"the {kind} file {path}", target, one_word)
    if f"{kind}_env" in auth:
        name = auth[f"{kind}_env"]
        if name not in env:
            raise RemoteError(f"{target}: the context names the {kind} variable {name}, which is not set")
        return secret_value(env[name], name, target, one_word)
    return secret_value(env.get(prefix + kind.upper()), prefix + kind.upper(), target, one_word)


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """Remove registered secrets, ``extra`` values, URL credentials and Authorization headers."""
    if not text:
        return text
    with _secrets_lock:
        values = sorted(set(_secrets) | {e for e in extra if e}, key=len, reverse=True)
    for value in values:
        text = text.replace(value, REDACTED)
    text = _URL_USERINFO.sub(lambda m: m.group("scheme") + REDACTED + "@", text)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def env_prefix(target: str) -> str:
    return "MLMON_" + re.sub(r"[^A-Z0-9]+", "_", target.upper()) + "_"


def safe_url(url: str) -> str:
    """The URL without credentials, query or fragment: what messages show."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")).rstrip("/")


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF


class HttpClient:
    """A requests Session bound to one server. ``target`` is the name used in messages and env vars."""

    def __init__(
        self,
        target: str,
        base_url: str,
        *,
        settings: HttpSettings | None = None,
        env: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: Mapping[str, str] | None = None,
    ):
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        env = os.environ if env is None else env
        self.target = target
        self.settings = settings or HttpSettings()
        if not base_url or not re.match(r"^https?://", base_url):
            raise RemoteError(f"{target}: URL must start with http:// or https:// (got {safe_url(base_url or '')!r})")
        parts = urlsplit(base_url)
        if parts.username or parts.password:
            register_secret(parts.password)
            raise RemoteError(
                f"{target}: do not put credentials in the URL; use {env_prefix(target)}USER/{env_prefix(target)}PASSWORD or {env_prefix(target)}TOKEN"
            )
        self.base_url = base_url.rstrip("/")
        self.url = safe_url(base_url)

        s = requests.Session()
        s.trust_env = False  # no proxies or netrc picked up behind the user's back
        retry = Retry(
            total=self.settings.retries,
            connect=self.settings.retries,
            read=self.settings.retries,
            status=self.settings.retries,
            other=0,
            backoff_factor=self.settings.backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=IDEMPOTENT_METHODS,
            raise_on_status=False,
            respect_retry_after_header=False,  # a huge Retry-After must not stall an apply; backoff is bounded
        )
        adapter = HTTPAdapter(max_retries=retry)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        prefix = env_prefix(target)
        auth = dict(auth or {})
        self.ca_from_context = "ca_file" in auth
        ca = auth.get("ca_file") or env.get(prefix + "CA_FILE")
        if ca:
            if not os.path.isfile(ca):
                source = "the context's ca_file" if self.ca_from_context else f"{prefix}CA_FILE"
                raise RemoteError(f"{target}: {source} {ca} is not a file")
            s.verify = ca
        else:
            s.verify = True
        token = _credential(auth, "token", env, prefix, target)
        user = (env.get(auth["user_env"], "") if "user_env" in auth else auth.get("user") or env.get(prefix + "USER") or "").strip()
        password = _credential(auth, "password", env, prefix, target)
        if token:
            s.headers["Authorization"] = "Bearer " + token
        elif user:
            s.auth = (user, password or "")
        s.headers["User-Agent"] = "mlmon"
        for k, v in (headers or {}).items():
            s.headers[k] = v
        self.session = s

    # --- requests ----------------------------------------------------------------------------
    def request(self, method: str, path: str, *, what: str, expect: Iterable[int] | None = (200,), **kwargs: Any):
        """Send one request; transport errors and unexpected statuses raise RemoteError."""
        import requests

        url = self.base_url + path
        timeout = kwargs.pop("timeout", (self.settings.connect_timeout, self.settings.read_timeout))
        try:
            resp = self.session.request(method, url, timeout=timeout, **kwargs)
        except requests.exceptions.SSLError as exc:
            raise RemoteError(self._msg(what, self._tls_reason(exc))) from None
        except requests.exceptions.ConnectTimeout:
            raise RemoteError(self._msg(what, f"connection timed out after {self.settings.connect_timeout:g}s")) from None
        except requests.exceptions.ReadTimeout:
            raise RemoteError(self._msg(what, f"no answer within {self.settings.read_timeout:g}s")) from None
        except requests.exceptions.RetryError as exc:
            raise RemoteError(self._msg(what, f"gave up after {self.settings.retries} retries ({_short(exc)})")) from None
        except requests.exceptions.ConnectionError as exc:
            raise RemoteError(self._msg(what, self._connection_reason(exc))) from None
        except requests.exceptions.RequestException as exc:
            raise RemoteError(self._msg(what, _short(exc))) from None
        if resp.status_code == 400 and "HTTP request to an HTTPS server" in (resp.text or ""):
            raise RemoteError(self._msg(what, f"the server speaks TLS (HTTPS) at this address: use {self._other_scheme('https')}"))
        if expect is not None and resp.status_code not in tuple(expect):
            raise RemoteError(self._msg(what, self.describe_status(resp)))
        return resp

    def get(self, path: str, *, what: str, **kwargs: Any):
        return self.request("GET", path, what=what, **kwargs)

    def post(self, path: str, *, what: str, **kwargs: Any):
        return self.request("POST", path, what=what, **kwargs)

    def get_json(self, path: str, *, what: str, **kwargs: Any) -> Any:
        resp = self.get(path, what=what, **kwargs)
        try:
            return resp.json()
        except ValueError:
            raise RemoteError(self._msg(what, "the answer is not JSON (is this the right URL?)")) from None

    def _other_scheme(self, scheme: str) -> str:
        return scheme + "://" + self.base_url.split("://", 1)[1]

    def _tls_reason(self, exc: BaseException) -> str:
        """One sentence with the fix, for each way TLS fails."""
        text = str(exc)
        if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text or "record layer failure" in text:
            return f"the server does not speak TLS at this address: use {self._other_scheme('http')}"
        m = re.search(r"certificate verify failed: (.+?)\.? \(_ssl", text)
        if m or "CERTIFICATE_VERIFY_FAILED" in text:
            reason = m.group(1).rstrip(".").replace("'", "") if m else "certificate verify failed"
            source = "the context's ca_file" if self.ca_from_context else f"{env_prefix(self.target)}CA_FILE"
            return f"the server's TLS certificate is not trusted ({reason}): set {source} to the CA bundle that signed it"
        return f"TLS handshake failed ({_short(exc)}): check that the URL's scheme and port are right"

    def _connection_reason(self, exc: BaseException) -> str:
        text = str(exc)
        tries = f" ({self.settings.retries} retries)" if "Max retries exceeded" in text else ""
        if "ReadTimeoutError" in text or "Read timed out" in text:
            return f"no answer within {self.settings.read_timeout:g}s{tries}"
        if "ConnectTimeoutError" in text:
            return f"connection timed out after {self.settings.connect_timeout:g}s{tries}"
        if "Connection refused" in text or "NewConnectionError" in text:
            return f"cannot connect: connection refused{tries}"
        if "Name or service not known" in text or "NameResolutionError" in text or "nodename nor servname" in text:
            return "cannot resolve the host name"
        if "RemoteDisconnected" in text or "ProtocolError" in text or "Connection reset" in text or "Connection aborted" in text:
            tls = " (if it serves TLS, use https://)" if self.base_url.startswith("http://") else ""
            return f"the server closed the connection without answering{tries}{tls}"
        return f"connection failed: {_short(exc)}"

    def describe_status(self, resp: Any) -> str:
        body = clip(redact(" ".join((resp.text or "").split())), 300)  # redacted first: a cut never leaves part of a secret
        hint = ""
        if resp.status_code in (401, 403):
            p = env_prefix(self.target)
            hint = f"; authentication failed: check {p}TOKEN or {p}USER/{p}PASSWORD"
        elif resp.status_code == 404:
            hint = "; check the URL (and any path prefix)"
        return redact(f"HTTP {resp.status_code}" + (f": {body}" if body else "") + hint)

    def _msg(self, what: str, reason: str) -> str:
        return redact(f"{self.target} at {self.url}: {what} failed: {reason}")

    def close(self) -> None:
        self.session.close()


def _short(exc: BaseException) -> str:
    """A one-line reason without urllib3's object reprs."""
    text = str(exc)
    m = re.search(r"\(Caused by (\w+)\((?:'[^']*'|\"[^\"]*\"|<[^>]*>)?,?\s*'?([^')]*)", text)
    if m:
        text = f"{m.group(1)}: {m.group(2)}".rstrip(": ")
    m2 = re.search(r"too many (\d+) error responses", text)
    if m2:
        text = f"HTTP {m2.group(1)} each time"
    text = re.sub(r"<(?!redacted>)[^>]+>", "", redact(text))
    return clip(" ".join(text.split()), 200)


def clip(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters at a word boundary, marked with `...`."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + " ..."
