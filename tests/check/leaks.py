"""Find a secret in output, in any encoding: by decoding the output every way a reader could
(URL-decoding, HTML unescaping, JSON string unescaping, base64 of every base64-looking run in
both alphabets) rather than by listing the encodings the redactor knows."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, unquote_plus

_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{6,}={0,2}")
_JSON_ESCAPES = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)")


def _json_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(match.group(2), match.group(2))

    return _JSON_ESCAPES.sub(one, text)


def _b64_decodings(text: str) -> Iterable[bytes]:
    for match in _B64_RUN.finditer(text):
        run = match.group(0).rstrip("=")
        for start in range(4):  # the run may start mid-group when something precedes it
            part = run[start:]
            part = part[: len(part) - len(part) % 4] if len(part) % 4 == 1 else part
            padded = part + "=" * (-len(part) % 4)
            for alphabet in (None, b"-_"):
                try:
                    yield base64.b64decode(padded, altchars=alphabet, validate=False)
                except (binascii.Error, ValueError):
                    continue


def views(text: str) -> list[str]:
    """``text`` as every decoding a reader could apply shows it."""
    out = [
        text,
        unquote(text),
        unquote_plus(text),
        html.unescape(text),
        _json_unescape(text),
        unquote(_json_unescape(text)),
        html.unescape(_json_unescape(text)),
    ]
    return out


def leaks(text: str | bytes, secrets: Iterable[str]) -> list[str]:
    """The secrets (and how) ``text`` gives away; [] when none."""
    if isinstance(text, bytes):
        raw = text
        text = text.decode("utf-8", "replace")
    else:
        raw = text.encode("utf-8", "replace")
    found = []
    wanted = [s for s in secrets if s]
    for secret in wanted:
        token = secret.encode("utf-8", "surrogateescape")
        if token in raw:
            found.append(f"{secret!r} raw")
            continue
        for view in views(text):
            if secret in view:
                found.append(f"{secret!r} after decoding")
                break
        else:
            for decoded in _b64_decodings(text):
                if token in decoded:
                    found.append(f"{secret!r} in base64")
                    break
    return found


def leaks_in(folder: Path, secrets: Iterable[str], *extra_texts: str) -> dict[str, list[str]]:
    """{file name or "<output>": leaks} for every file under ``folder`` and every extra text."""
    secrets = list(secrets)
    out: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found = leaks(path.read_bytes(), secrets)
            if path.suffix in (".json", ".jsonl"):
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                    try:
                        data = json.loads(line) if path.suffix == ".jsonl" else None
                    except ValueError:
                        continue
                    if data is not None:
                        found += leaks(json.dumps(data, ensure_ascii=False), secrets)
            if found:
                out[str(path.relative_to(folder))] = sorted(set(found))
    for i, text in enumerate(extra_texts):
        found = leaks(text, secrets)
        if found:
            out[f"<output {i}>"] = found
    return out
