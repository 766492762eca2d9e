"""Local ``$ref`` resolution: same-file refs (``#/components/...``) and relative files inside the
spec's folder (``common.yaml#/components/schemas/Video``).

Why this shape:

* **Lazy.** :meth:`RefResolver.follow` follows one reference when a caller needs it; nothing is
  expanded up front, so cyclic schemas (a ``Node`` whose ``children`` are ``Node``) are no
  problem, and :func:`bundle` inlines only refs into other files.
* **Cached.** Every referenced file is loaded once per resolver (with positions), so a finding
  about a referenced schema can point at ``common.yaml:12:5``.
* **Safe by default.** Remote refs (``http(s)://``) are refused unless a ``retrieve`` callable is
  injected (the caller decides about the network, never this module); refs leaving the spec's
  folder (``../x.yaml``, absolute paths, ``file:`` URLs) are always refused.
* **One judge.** :meth:`RefResolver.deref_one` / :meth:`RefResolver.follow` raise the one
  :class:`RefError` (an :class:`InputError` at the ``$ref``'s file:line:col) for a ref that cannot
  be followed: lint's SF-REF-UNRESOLVED reports it, :func:`bundle` (check ``--spec``) stops on it.
* **Plain data** (lint, merge, mock, normalize, ingest and check walk dicts, not documents):
  :func:`resolve_local` / :func:`follow_local` are the lenient same-document lookups (a bad ref
  is "no information"), on :mod:`specforge.core.pointer`'s RFC 6901 walk. Not on
  ``referencing``'s ``Resource.pointer``: that one indexes into strings (``#/info/title/0`` is
  ``"O"``), takes negative list indexes and raises ``ValueError`` for a word on a list.

``$ref`` strings under data-valued keywords (``example``, ``default``, ``enum``, ``const``, schema
``examples`` lists and Example Objects' ``value``) are data, not references, and are left alone.
"""

from __future__ import annotations

import copy
import difflib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import unquote, urljoin, urlsplit

from specforge.core import pointer as jp
from specforge.core.diagnostics import Diagnostic, Severity
from specforge.core.document import DEFAULT_LIMITS, Document, Limits, load_document, load_text
from specforge.core.errors import InputError
from specforge.core.guard import escape_error

#: ``retrieve(url) -> document text (str/bytes) or already-parsed data``; raise to refuse.
Retriever = Callable[[str], Any]

#: keywords whose values are literal data: a ``$ref`` inside them is not a reference
_DATA_KEYS = frozenset({"example", "default", "enum", "const"})

#: a chain of refs longer than this is treated like a cycle (nothing real is that deep)
_MAX_CHAIN = 64


class RefError(InputError):
    """A ``$ref`` that cannot be followed. ``code`` is the diagnostic code
    (``ref-unresolved``, ``ref-file``, ``ref-remote``, ``ref-escape``, ``ref-cycle``, ``ref-invalid``)."""

    def __init__(self, code: str, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.code = code

    def diagnostic(self, pointer: str = "") -> Diagnostic:
        return Diagnostic(
            code=self.code,
            severity=Severity.ERROR,
            message=self.message,
            pointer=pointer,
            file=self.file,
            line=self.line,
            col=self.col,
            hint=self.hint,
        )


def refuse_remote(url: str) -> Any:
    """The default retriever: no network access, ever, unless the caller injects one."""
    raise RefError(
        "ref-remote",
        f"remote $ref `{url}` refused",
        hint="download the file into the spec's folder and reference it relatively, "
        "or pass a retrieve callable to allow remote refs",
    )


@dataclass(frozen=True)
class RefSite:
    """One ``$ref`` found in a document: the object holding it is at ``pointer``."""

    document: Document
    pointer: str
    ref: str

    @property
    def ref_pointer(self) -> str:
        """Pointer to the ``$ref`` string itself (what findings should point at)."""
        return f"{self.pointer}/$ref"


def _is_ref(value: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and isinstance(value.get("$ref"), str)


def _children(value: dict[str, Any] | list[Any]) -> Iterator[tuple[str, Any]]:
    """(token, child) pairs of ``value`` that may hold references (data keywords skipped)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict | list):
                yield str(index), item
        return
    for key, item in value.items():
        if not isinstance(item, dict | list) or key in _DATA_KEYS:
            continue
        if key == "examples":
            if isinstance(item, list):
                continue  # JSON Schema `examples`: a list of literal values
            # OpenAPI Example Objects: `value` is literal, the rest (and $ref) is structure
            for name, example in item.items():
                if isinstance(example, dict):
                    token = f"examples/{jp.escape(name)}"
                    yield token, {k: v for k, v in example.items() if k != "value"}
            continue
        yield jp.escape(key), item


def resolve_local(data: Any, ref: str) -> tuple[Any, str] | None:
    """The value a same-document ref (``#/...``) names in ``data``, and its pointer; ``None``
    when ``ref`` is not local or names nothing. The lenient counterpart of
    :meth:`RefResolver.lookup`, for walkers over plain data that treat a bad ref as "no
    information" (``check_refs`` / lint report those separately)."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    pointer = ref[1:]
    try:
        return jp.resolve(data, pointer), pointer
    except (KeyError, ValueError):
        return None


def follow_local(data: Any, value: Any, pointer: str) -> tuple[Any, str]:
    """Follow a chain of local ``$ref`` from ``value`` (found at ``pointer`` in ``data``) to
    (value, pointer) of what it stands for. Stops, returning the last value reached, at a
    cycle and at a ref that is remote or names nothing: never raises."""
    seen: set[str] = set()
    while _is_ref(value) and value["$ref"] not in seen:
        seen.add(value["$ref"])
        target = resolve_local(data, value["$ref"])
        if target is None:
            break
        value, pointer = target
    return value, pointer


def rewrite_refs(data: Any, rewrite: Callable[[str], str]) -> None:
    """Replace every ``$ref`` string in ``data`` (in place) by ``rewrite(ref)``: for renaming
    components or re-basing refs in a copy the caller owns. Every ``$ref`` key counts, data
    keywords included (a renamed target must not leave a stale ref in an example); iterative."""
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                node["$ref"] = rewrite(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def iter_refs(document: Document) -> Iterator[RefSite]:
    """Every ``$ref`` in ``document``, in document order (iterative: no recursion limit)."""
    stack: list[tuple[str, Any]] = [("", document.data)]
    while stack:
        pointer, value = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if _is_ref(value):
            yield RefSite(document, pointer, value["$ref"])
        children = list(_children(value))
        stack.extend((f"{pointer}/{token}", child) for token, child in reversed(children))


class RefResolver:
    """Follows ``$ref`` for one spec. ``root`` is the folder refs must stay inside (default: the
    folder of the first document the resolver sees); ``retrieve`` enables remote refs."""

    def __init__(
        self,
        document: Document | None = None,
        *,
        root: str | Path | None = None,
        base_path: str | Path | None = None,
        retrieve: Retriever | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.retrieve: Retriever = retrieve or refuse_remote
        self.limits = limits
        self.root: Path | None = Path(root).resolve() if root is not None else None
        self._origin: dict[int, str | Path] = {}  # id(document) -> real file path or URL
        self._by_origin: dict[str | Path, Document] = {}
        self._keep: list[Document] = []  # ids in _origin stay valid while the resolver lives
        self.document = document
        if document is not None:
            self.register(document, base_path)

    # -- documents -------------------------------------------------------------------------

    def register(self, document: Document, base_path: str | Path | None = None) -> Document:
        """Tell the resolver where ``document`` lives (``base_path``: its file or its folder;
        default: ``document.path``). Idempotent."""
        if id(document) in self._origin and base_path is None:
            return document
        origin: str | Path
        if isinstance(base_path, str) and urlsplit(base_path).scheme in ("http", "https"):
            origin = base_path
        elif base_path is not None:
            p = Path(base_path).resolve()
            origin = p / Path(document.path).name if p.is_dir() else p
        elif urlsplit(document.path).scheme in ("http", "https"):
            origin = document.path
        else:
            origin = Path(document.path).resolve()
        if self.root is None and isinstance(origin, Path):
            self.root = origin.parent
        self._origin[id(document)] = origin
        self._keep.append(document)
        self._by_origin.setdefault(origin, document)
        return document

    def origin(self, document: Document) -> str | Path:
        if id(document) not in self._origin:
            self.register(document)
        return self._origin[id(document)]

    def _load_file(self, target: Path, display: str) -> Document:
        cached = self._by_origin.get(target)
        if cached is not None:
            return cached
        document = load_document(target, limits=self.limits, display=display)
        self._origin[id(document)] = target
        self._by_origin[target] = document
        return document

    def _load_url(self, url: str) -> Document:
        cached = self._by_origin.get(url)
        if cached is not None:
            return cached
        fetched = self.retrieve(url)
        if isinstance(fetched, Document):
            document = fetched
        elif isinstance(fetched, bytes | str):
            text = fetched.decode("utf-8-sig") if isinstance(fetched, bytes) else fetched
            document = load_text(text, url, limits=self.limits)
        else:
            document = Document(path=url, data=fetched, text="")
        self._origin[id(document)] = url
        self._by_origin[url] = document
        return document

    # -- one hop ---------------------------------------------------------------------------

    def _where(self, document: Document, at: str | None) -> dict[str, Any]:
        """file/line/col keyword arguments for an error about the ``$ref`` at ``at``."""
        if at is None:
            return {"file": document.path}
        location = document.locate(f"{at}/$ref") if document.text else None
        if location is None:
            return {"file": document.path}
        return {"file": location.file, "line": location.line, "col": location.col}

    def target_document(self, document: Document, ref: str, *, at: str | None = None) -> tuple[Document, str]:
        """The document ``ref`` (written in ``document``) points into, and the JSON pointer
        inside it. Loads (and caches) the file; raises :class:`RefError`."""
        file_part, _, fragment = ref.partition("#")
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            raise RefError(
                "ref-invalid",
                f"$ref `{ref}` has a fragment that is not a JSON pointer",
                hint="write the fragment as a JSON pointer, e.g. `#/components/schemas/Name`",
                **self._where(document, at),
            )
        if not file_part:
            return document, fragment
        origin = self.origin(document)
        if isinstance(origin, str):  # inside a remote document everything is a URL
            return self._remote(urljoin(origin, file_part), ref, document, at), fragment
        parts = urlsplit(file_part)
        if parts.scheme in ("http", "https"):
            return self._remote(file_part, ref, document, at), fragment
        if parts.scheme and len(parts.scheme) > 1 and parts.scheme != "file":
            raise RefError(
                "ref-invalid",
                f"$ref `{ref}` uses the unsupported scheme `{parts.scheme}:`",
                hint="reference a file in the spec's folder by its relative path",
                **self._where(document, at),
            )
        relative = unquote(file_part)
        root = self.root or origin.parent
        target = (origin.parent / relative).resolve()
        if (
            parts.scheme
            or os.path.isabs(relative)
            or relative.startswith("\\")
            or not target.is_relative_to(root)
        ):
            raise escape_error(ref, **self._where(document, at))
        display = os.path.normpath(os.path.join(os.path.dirname(document.path), relative))
        try:
            return self._load_file(target, display), fragment
        except RefError:
            raise
        except InputError as exc:
            if not target.exists():
                raise RefError(
                    "ref-file",
                    f"$ref `{ref}` names a file that does not exist",
                    hint=f"create {display} or correct the file name in the $ref",
                    **self._where(document, at),
                ) from None
            raise RefError(
                "ref-file",
                f"$ref `{ref}` names a file that cannot be loaded: {exc.where}: {exc.message}",
                hint=exc.hint or f"fix {display} first",
                **self._where(document, at),
            ) from None

    def _remote(self, url: str, ref: str, document: Document, at: str | None) -> Document:
        try:
            return self._load_url(url)
        except RefError as exc:
            raise RefError(
                exc.code,
                exc.message.replace(f"`{url}`", f"`{ref}`"),
                hint=exc.hint,
                **self._where(document, at),
            ) from None
        except InputError as exc:
            raise RefError(
                "ref-file",
                f"remote $ref `{ref}` cannot be loaded: {exc.where}: {exc.message}",
                hint=exc.hint or "check the URL",
                **self._where(document, at),
            ) from None

    def lookup(
        self,
        document: Document,
        fragment: str,
        ref: str,
        *,
        where: Document | None = None,
        at: str | None = None,
    ) -> Any:
        """The value at ``fragment`` in ``document``; :class:`RefError` naming the nearest
        existing key when it is missing."""
        node = document.data
        for depth, token in enumerate(jp.parts(fragment)):
            if isinstance(node, dict) and token in node:
                node = node[token]
                continue
            if isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
                continue
            prefix = "".join("/" + jp.escape(t) for t in jp.parts(fragment)[:depth])
            hint = "point the $ref at an existing location"
            if isinstance(node, dict):
                close = difflib.get_close_matches(token, [str(k) for k in node], n=1, cutoff=0.6)
                if close:
                    hint = f"did you mean `{ref.partition('#')[0]}#{prefix}/{jp.escape(close[0])}`?"
            raise RefError(
                "ref-unresolved",
                f"$ref `{ref}` points to nothing: `{fragment}` does not exist in {document.path}",
                hint=hint,
                **self._where(where or document, at),
            )
        return node

    def deref_one(self, document: Document, ref: str, *, at: str | None = None) -> tuple[Document, str, Any]:
        """One hop: (target document, pointer in it, value there). The value is the cached
        data itself, not a copy: never mutate it."""
        target, fragment = self.target_document(document, ref, at=at)
        value = self.lookup(target, fragment, ref, where=document, at=at)
        return target, fragment, value

    # -- following chains ------------------------------------------------------------------

    def follow(self, document: Document, ref: str, *, at: str | None = None) -> tuple[Document, str, Any]:
        """Follow ``ref`` and any ``$ref`` the target itself is, until a real value: (document,
        pointer, value). A chain that loops raises a ``ref-cycle`` :class:`RefError`."""
        seen: list[tuple[Document, str]] = []
        doc, site, current = document, at, ref
        while True:
            doc_next, fragment, value = self.deref_one(doc, current, at=site)
            if any(d is doc_next and p == fragment for d, p in seen) or len(seen) > _MAX_CHAIN:
                chain = " -> ".join(f"{self._short(d)}#{p}" for d, p in (*seen, (doc_next, fragment)))
                raise RefError(
                    "ref-cycle",
                    f"$ref `{ref}` never reaches a value: {chain}",
                    hint="one of these $refs must point at an actual object",
                    **self._where(document, at),
                )
            seen.append((doc_next, fragment))
            if not _is_ref(value):
                return doc_next, fragment, value
            doc, site, current = doc_next, fragment, value["$ref"]

    def _short(self, document: Document) -> str:
        return "" if document is self.document else document.path


_TOO_BIG = "bundle fewer or smaller files, or look for refs that multiply each other"


class _Bundler:
    """Builds :func:`bundle`'s copy: a ref into another file is inlined at its first use (later
    uses and refs back to an ancestor become local refs to where it was placed); recursion is
    bounded by the depth limit and the output size by ``limits.max_nodes``."""

    def __init__(self, resolver: RefResolver, root: Document) -> None:
        self.resolver = resolver
        self.root = root
        self.active: dict[tuple[int, str], str] = {}  # target being inlined -> its output pointer
        self.placed: dict[tuple[int, str], str] = {}  # target -> first output pointer
        self.nodes = 0
        self.max_depth = resolver.limits.max_depth * 2

    def run(self) -> Any:
        try:
            return self.copy(self.root, "", self.root.data, "", 0)
        except RecursionError:
            raise InputError(
                "resolving $refs nests too deep",
                file=self.root.path,
                hint=_TOO_BIG,
            ) from None

    def _count(self, document: Document, pointer: str) -> None:
        self.nodes += 1
        if self.nodes > self.resolver.limits.max_nodes:
            raise InputError(
                f"resolving $refs expands to more than {self.resolver.limits.max_nodes:,} nodes",
                **self.resolver._where(document, pointer),
                hint=_TOO_BIG,
            )

    def copy(self, document: Document, pointer: str, value: Any, out: str, depth: int) -> Any:
        if not isinstance(value, dict | list):
            return value
        self._count(document, pointer)
        if depth > self.max_depth:
            raise InputError(
                f"resolving $refs nests deeper than {self.max_depth} levels",
                **self.resolver._where(document, pointer),
                hint=_TOO_BIG,
            )
        key = (id(document), pointer)
        outer = self.active.get(key)
        self.active[key] = out  # a ref back to this ancestor becomes a local ref to `out`
        try:
            if _is_ref(value):
                return self.inline(document, pointer, value, out, depth)
            return self._copy_container(document, pointer, value, out, depth)
        finally:
            if outer is None:
                del self.active[key]
            else:
                self.active[key] = outer

    def _copy_container(self, document: Document, pointer: str, value: Any, out: str, depth: int) -> Any:
        follow = {token for token, _ in _children(value)}
        if isinstance(value, list):
            return [
                self.copy(document, f"{pointer}/{i}", item, f"{out}/{i}", depth + 1)
                if str(i) in follow
                else copy.deepcopy(item)
                for i, item in enumerate(value)
            ]
        result: dict[str, Any] = {}
        for key, item in value.items():
            token = jp.escape(key)
            if token in follow:
                result[key] = self.copy(document, f"{pointer}/{token}", item, f"{out}/{token}", depth + 1)
            elif key == "examples" and isinstance(item, dict):
                result[key] = {
                    name: {
                        k: copy.deepcopy(v)
                        if k == "value"
                        else self.copy(
                            document,
                            f"{pointer}/examples/{jp.escape(name)}/{jp.escape(k)}",
                            v,
                            f"{out}/examples/{jp.escape(name)}/{jp.escape(k)}",
                            depth + 2,
                        )
                        for k, v in example.items()
                    }
                    if isinstance(example, dict) and not _is_ref(example)
                    else self.copy(
                        document,
                        f"{pointer}/examples/{jp.escape(name)}",
                        example,
                        f"{out}/examples/{jp.escape(name)}",
                        depth + 1,
                    )
                    for name, example in item.items()
                }
            else:
                result[key] = copy.deepcopy(item)
        return result

    def inline(self, document: Document, pointer: str, value: dict[str, Any], out: str, depth: int) -> Any:
        ref = value["$ref"]
        target, fragment, target_value = self.resolver.deref_one(document, ref, at=pointer)
        if _is_ref(target_value):
            self.resolver.follow(document, ref, at=pointer)  # a chain that never ends raises here
        if target is self.root:  # same-file refs stay refs
            return {
                k: (
                    "#" + fragment
                    if k == "$ref"
                    else self.copy(
                        document, f"{pointer}/{jp.escape(k)}", v, f"{out}/{jp.escape(k)}", depth + 1
                    )
                )
                for k, v in value.items()
            }
        key = (id(target), fragment)
        if key in self.active:
            return {"$ref": "#" + self.active[key]}
        if key in self.placed:
            return {"$ref": "#" + self.placed[key]}
        self.placed.setdefault(key, out)
        result = self.copy(target, fragment, target_value, out, depth + 1)
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        if siblings and isinstance(result, dict) and "$ref" not in result:
            for k, v in siblings.items():
                result[k] = self.copy(
                    document, f"{pointer}/{jp.escape(k)}", v, f"{out}/{jp.escape(k)}", depth + 1
                )
        return result


def bundle(
    document: Document, *, base_path: str | Path | None = None, retrieve: Retriever | None = None
) -> Any:
    """``document``'s data made self-contained: refs into other files are inlined at their
    first use and later uses point there; same-file refs stay refs (what `redocly bundle` does)."""
    return _Bundler(RefResolver(document, base_path=base_path, retrieve=retrieve), document).run()
