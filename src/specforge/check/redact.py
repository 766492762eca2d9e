"""Keep secrets (the API token, URL credentials) out of every output: the cassette, every report,
curl lines, logs, progress lines, stored exceptions, the nightly history.

One ``Redactor`` per run, applied at every sink, always *before* anything is cut short (a
truncated token cannot be recognised any more). It finds each secret by value and in the
encodings a server may echo it back in: plain, URL-encoded (any mix of literal and ``%HH``
characters, either hex case, ``+`` for a space), JSON escapes (``\\uXXXX``, ``\\/``), HTML/XML
escapes, and base64 (standard and URL-safe, at each of the three byte alignments, so a token
inside a larger base64 blob such as ``Basic base64(user:token)`` is found too). Bytes are redacted
before they are decoded or base64-encoded. Header names are redacted like any text; credential
headers (Authorization, Cookie, Set-Cookie, API-key headers) lose their whole value; URL userinfo
(``http://user:pw@host``) is masked wherever a URL appears.

A secret shorter than ``MIN_SECRET_LENGTH`` cannot be redacted safely (masking a 1-character
token masks every occurrence of that letter): ``require_redactable`` refuses it up front.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import re
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any
from urllib.parse import unquote, urlsplit

MASK = "***"
MIN_SECRET_LENGTH = 6
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s'\"]+")
_FILTERED = re.compile(r"(?i)(authorization:\s*)\[filtered\]")
#: userinfo of any URL in any text: ``scheme://user:pw@`` -> ``scheme://***@``
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@'\"<>]+@")
#: headers whose value is a credential: the scheme word of Authorization is kept ("Bearer ***")
_SCHEME_HEADERS = frozenset({"authorization", "proxy-authorization"})
_SECRET_HEADERS = _SCHEME_HEADERS | {"x-api-key", "api-key", "cookie", "set-cookie", "x-auth-token"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,19}$")
#: control characters no text body has (NUL & co.): such a body is described, not copied
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _utf8(text: str) -> bytes:
    """UTF-8 of ``text``; undecodable bytes os.environ kept as surrogates become those bytes again."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _hex(byte: int) -> str:
    """``byte`` as two hex digits matching either case (the pattern is also compiled as bytes,
    so only ASCII classes are used)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in f"{byte:02x}")


def _char_forms(ch: str) -> str:
    """Regex alternatives for one character of a secret as a server may write it."""
    forms = [re.escape(ch), "".join("%" + _hex(b) for b in _utf8(ch))]
    if ch == " ":
        forms.append(r"\+")
    code = ord(ch)
    if code < 0x10000 and not 0xD800 <= code < 0xE000:
        forms.append(r"\\[uU]" + "".join(_hex(b) for b in code.to_bytes(2, "big")))
    escaped = json.dumps(ch)[1:-1]
    if escaped != ch and not escaped.startswith("\\u"):
        forms.append(re.escape(escaped))
    if ch == "/":
        forms.append(r"\\/")
    for form in {html.escape(ch, quote=True), f"&#{code};", "&apos;" if ch == "'" else ""}:
        if form and form != ch:
            forms.append(re.escape(form))
    return "(?:" + "|".join(forms) + ")"


def _base64_cores(secret: bytes) -> set[str]:
    """The part of base64(... + secret + ...) that depends on the secret alone, for each of the
    three alignments the secret can start at, in both alphabets."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret).decode("ascii").rstrip("=")
        total = offset + len(secret)
        start = -(-8 * offset // 6)  # first character made of secret bits only
        end = total // 3 * 4 + total % 3 * 8 // 6  # last character made of secret bits only
        core = encoded[start:end]
        if len(core) >= 4:
            cores.add(core)
            cores.add(core.translate(str.maketrans("+/", "-_")))
    return cores


def _pattern(secrets: Iterable[str]) -> str:
    parts: list[str] = []
    for secret in sorted(set(secrets), key=len, reverse=True):
        parts.append("".join(_char_forms(ch) for ch in secret))
        parts.extend(re.escape(core) for core in sorted(_base64_cores(_utf8(secret)), key=len, reverse=True))
    return "|".join(parts)


def secret_problem(secret: str) -> str | None:
    """Why ``secret`` cannot be redacted safely, or None."""
    if len(secret) < MIN_SECRET_LENGTH:
        return f"is {len(secret)} character(s) long; secrets shorter than {MIN_SECRET_LENGTH} cannot be kept out of reports safely"
    return None


def url_secrets(url: str) -> list[str]:
    """The credentials a URL carries in its userinfo: the password and ``user:password`` (what
    HTTP Basic auth encodes); a user name alone is not a secret."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    if "@" not in parts.netloc:
        return []
    userinfo = parts.netloc.rsplit("@", 1)[0]
    user, _, password = userinfo.partition(":")
    out = [userinfo, unquote(userinfo)] if password else []
    if password:
        out += [password, unquote(password), f"{unquote(user)}:{unquote(password)}"]
    return list(dict.fromkeys(out))


def require_redactable(secret: str | None, what: str, hint: str) -> None:
    """Refuse a secret that cannot be redacted safely (exit 2, with a fix)."""
    if not secret:
        return
    problem = secret_problem(secret)
    if problem:
        from specforge.core import InputError

        raise InputError(f"{what} {problem}", hint=hint)


#: the redaction memo's bounds: strings up to this many characters, at most this many of them
#: and this many characters in all (~16 MB of text at worst; the memo is emptied when full)
_REMEMBERED_LENGTH = 1 << 20
_REMEMBERED_COUNT = 8192
_REMEMBERED_CHARS = 8 << 20


class Redactor:
    """Masks ``token`` and ``secrets`` (and any bearer credential or URL userinfo) with ``***``;
    safe to call on any text, bytes, headers or JSON-like data."""

    def __init__(self, token: str | None, *, secrets: Iterable[str] = ()) -> None:
        self.token = token or None
        self.secrets = tuple(dict.fromkeys(s for s in (self.token, *secrets) if s))
        pattern = _pattern(self.secrets) if self.secrets else ""
        self._text = re.compile(pattern) if pattern else None
        self._bytes = re.compile(_utf8(pattern)) if pattern else None
        #: text -> redacted text: a check redacts the same header values, ids and messages tens
        #: of thousands of times (measured: 33k calls, 2k distinct values), and each response
        #: body twice (its cassette entry, then its case's excerpt)
        self._seen: dict[str, str] = {}
        self._seen_chars = 0

    @classmethod
    def for_endpoint(cls, token: str | None, base_url: str) -> Redactor:
        """The run's redactor: the token plus the credentials in the endpoint URL."""
        return cls(token, secrets=url_secrets(base_url))

    def text(self, value: str) -> str:
        seen = self._seen.get(value)
        if seen is not None:
            return seen
        redacted = self._redact(value)
        if len(value) <= _REMEMBERED_LENGTH:
            if len(self._seen) >= _REMEMBERED_COUNT or self._seen_chars + len(value) > _REMEMBERED_CHARS:
                self._seen.clear()
                self._seen_chars = 0
            self._seen[value] = redacted
            self._seen_chars += len(value)
        return redacted

    def _redact(self, value: str) -> str:
        if self._text is not None:
            value = self._text.sub(MASK, value)
        # each pattern runs only where the text has its literal part (2-3x faster on bodies);
        # no other character matches these letters case-insensitively (tested)
        if "://" in value:
            value = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", value)
        lowered = value.lower()
        if "ltered]" in lowered:
            value = _FILTERED.sub(r"\1Bearer " + MASK, value)
            lowered = value.lower()  # it wrote a "Bearer" the next pattern must see
        if "bearer" in lowered:
            value = _BEARER.sub(lambda m: m.group(1) + MASK, value)
        return value

    def binary(self, value: bytes) -> bytes:
        """``value`` with every secret masked, before it is decoded or base64-encoded."""
        if self._bytes is not None:
            value = self._bytes.sub(MASK.encode(), value)
        return value

    def clip(self, value: str, limit: int, ellipsis: str = "…") -> str:
        """Redact, then cut to ``limit`` characters (never the other way round)."""
        value = self.text(value)
        return value if len(value) <= limit else value[:limit] + ellipsis

    def excerpt(self, content: bytes | None, limit: int = 600) -> str:
        """The start of a body for a report: redacted in full first, then cut; binary bodies are
        described, never copied."""
        if not content:
            return ""
        # decoded before it is redacted: a body that is not UTF-8 text is described by its size
        # alone (nothing of it is shown, so there is nothing to redact), and the text pass masks
        # everything the bytes pass would
        try:
            text = bytes(content).decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(content)} bytes of binary data>"
        if _BINARY.search(text):
            return f"<{len(content)} bytes of binary data>"
        return self.clip(text, limit)

    def headers(self, headers: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in headers.items():
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            key = self.text(name.decode("latin-1") if isinstance(name, bytes) else str(name))
            lower = key.lower()
            if lower in _SCHEME_HEADERS:
                scheme = text.strip().split(" ", 1)[0] if " " in text.strip() else ""
                out[key] = (
                    f"{scheme} {MASK}" if _SCHEME.match(scheme) and self.text(scheme) == scheme else MASK
                )
            elif lower in _SECRET_HEADERS:
                out[key] = MASK
            else:
                out[key] = self.text(text)
        return out

    def data(self, value: Any) -> Any:
        """Copy of ``value`` (JSON-like data, or dataclass records such as a whole CheckResult)
        with secrets masked in every string, mapping keys included; types are kept."""
        if isinstance(value, Enum):
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.binary(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)) if isinstance(k, str) else k: self.data(v) for k, v in value.items()}
        if isinstance(value, tuple):
            return tuple(self.data(v) for v in value)
        if isinstance(value, list):
            return [self.data(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self.data(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
            return dataclasses.replace(value, **changes)
        return value

    def scrub(self, record: Any, *, skip: tuple[str, ...] = ()) -> None:
        """Redact a mutable dataclass record in place (every field but ``skip``): the last
        pass over a result before any report is rendered from it."""
        for f in dataclasses.fields(record):
            if f.name not in skip:
                setattr(record, f.name, self.data(getattr(record, f.name)))
