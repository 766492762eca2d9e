"""Local ``$ref`` resolution: same-file refs (``#/components/...``), relative files inside the
spec's folder (``common.yaml#/components/schemas/Video``) and, in 3.1 schemas, ``$id`` /
``$anchor`` refs.

Why this shape:

* **One resolver on referencing.** :class:`RefResolver` keeps one ``referencing.Registry`` per
  spec, filled lazily by :meth:`RefResolver.load` (the one policy for what may be read); the same
  registry is what the JSON Schema validators get (:meth:`RefResolver.registry`, through
  ``core.guard.RefGuard``), so lint, bundle and every validator refuse the same refs and share
  the files already loaded. referencing supplies retrieval and caching, ``$id`` and ``$anchor``
  (``Registry.get_or_retrieve`` / ``anchor``, keeping the registry each returns: registries are
  immutable, and ``Resolver.lookup`` would keep its grown registry private and walk pointers
  leniently); joins follow ``Resolver.in_subresource``'s rule (urljoin onto the nearest ``$id``).
* **Our own fragment walk.** JSON pointer fragments are walked by :meth:`RefResolver.lookup`
  (RFC 6901, did-you-mean hints), not ``referencing``'s ``Resource.pointer``, which indexes into
  strings (``#/info/title/0`` is ``"O"``), takes negative list indexes and raises ``ValueError``
  for a word on a list.
* **Lazy and cached.** :meth:`RefResolver.follow` follows one reference when a caller needs it
  (cyclic schemas are no problem, :func:`bundle` inlines only refs into other files); every file
  is loaded once, with positions, so a finding can point at ``common.yaml:12:5``.
* **Safe by default.** Remote refs (``http(s)://``) are refused unless a ``retrieve`` callable is
  injected (the caller decides about the network, never this module); refs leaving the spec's
  folder (``../x.yaml``, absolute paths, ``file:`` URLs, symlinks out) are always refused.
* **One judge.** :meth:`RefResolver.deref_one` / :meth:`RefResolver.follow` raise the one
  :class:`RefError` (an :class:`InputError` at the ``$ref``'s file:line:col): lint's
  SF-REF-UNRESOLVED reports it, :func:`bundle` (check ``--spec``) stops on it.
* **Plain data** (lint, merge, mock, normalize, ingest and check walk dicts, not documents):
  :func:`resolve_local` / :func:`follow_local` are the lenient same-document lookups (a bad ref
  is "no information"), on :mod:`specforge.core.pointer`'s RFC 6901 walk.

``$ref`` strings under data-valued keywords (``example``, ``default``, ``enum``, ``const``, schema
``examples`` lists and Example Objects' ``value``) are data, not references, and are left alone.
"""

from __future__ import annotations

import copy
import difflib
import functools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

from specforge.core import pointer as jp
from specforge.core.diagnostics import Diagnostic, Severity
from specforge.core.document import DEFAULT_LIMITS, Document, Limits, load_document, load_text
from specforge.core.errors import InputError

#: ``retrieve(url) -> document text (str/bytes) or already-parsed data``; raise to refuse.
Retriever = Callable[[str], Any]

#: keywords whose values are literal data: a ``$ref`` inside them is not a reference
_DATA_KEYS = frozenset({"example", "default", "enum", "const"})

#: a chain of refs longer than this is treated like a cycle (nothing real is that deep)
_MAX_CHAIN = 64

#: the address of a document that has no file (``RefGuard(None)``): nothing is relative to it
IN_MEMORY = "urn:specforge:in-memory"


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


def escape_error(ref: str, **where: Any) -> RefError:
    """The one message for a reference that leaves the project folder."""
    return RefError(
        "ref-escape",
        f"$ref `{ref}` escapes the project folder",
        hint="copy the referenced file into the spec's folder; refs may not reach outside it",
        **where,
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


@functools.cache
def _specification() -> Any:
    """How referencing reads a spec file: an OpenAPI document (or a file of ``components``) holds
    JSON Schema 2020-12 resources in ``components/schemas`` (so their ``$id`` and ``$anchor`` are
    found); anything else is a 2020-12 schema. A malformed keyword holds no schemas instead of
    crashing the crawl."""
    from referencing import Specification
    from referencing.jsonschema import DRAFT202012

    def container(contents: Any) -> bool:
        return isinstance(contents, dict) and ("openapi" in contents or "components" in contents)

    def schema(contents: Any) -> bool:
        return isinstance(contents, bool) or (isinstance(contents, dict) and not container(contents))

    def id_of(contents: Any) -> str | None:
        found = contents.get("$id") if isinstance(contents, dict) and schema(contents) else None
        return found if isinstance(found, str) else None

    def subresources_of(contents: Any) -> Iterable[Any]:
        if container(contents):
            components = contents.get("components")
            schemas = components.get("schemas") if isinstance(components, dict) else None
            return list(schemas.values()) if isinstance(schemas, dict) else []
        if not schema(contents):
            return []
        try:
            return list(DRAFT202012.subresources_of(contents))
        except (AttributeError, TypeError):
            return []

    def anchors_in(specification: Any, contents: Any) -> Iterable[Any]:
        if not (isinstance(contents, dict) and schema(contents)):
            return []
        return [anchor for anchor in DRAFT202012.anchors_in(contents) if isinstance(anchor.name, str)]

    def maybe_in_subresource(segments: Any, resolver: Any, subresource: Any) -> Any:
        if len(segments) >= 3 and segments[0] == "components" and segments[1] == "schemas":
            if len(segments) == 3:
                return resolver.in_subresource(subresource)
            segments = segments[3:]
        return DRAFT202012.maybe_in_subresource(segments=segments, resolver=resolver, subresource=subresource)

    return Specification(  # type: ignore[call-arg]  # attrs fields referencing's stubs do not show
        name="specforge-openapi",
        id_of=id_of,
        subresources_of=subresources_of,
        anchors_in=anchors_in,
        maybe_in_subresource=maybe_in_subresource,
    )


def _resource(data: Any) -> Any:
    from referencing import Resource

    return Resource.from_contents(data, default_specification=_specification())


class RefResolver:
    """Follows ``$ref`` for one spec. ``root`` is the folder refs must stay inside (default: the
    folder of the first document the resolver sees; without a document or ``root``, no file at
    all); ``retrieve`` enables remote refs."""

    def __init__(
        self,
        document: Document | None = None,
        *,
        root: str | Path | None = None,
        base_path: str | Path | None = None,
        retrieve: Retriever | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        from referencing import Registry

        self.retrieve = retrieve
        self.limits = limits
        self.root: Path | None = Path(root).resolve() if root is not None else None
        self.refused: list[str] = []  # every URI refused by load(), for callers that report them
        self._registry: Any = Registry(retrieve=lambda uri: _resource(self.load(uri).data))  # type: ignore[call-arg]
        self._documents: dict[str, Document] = {}  # URI asked for -> document
        self._files: dict[Path, Document] = {}  # real path -> document: each file loaded once
        self._uri: dict[int, str] = {}  # id(document) -> its own URI, the base of its refs
        self._keep: list[Document] = []  # ids in _uri stay valid while the resolver lives
        self._scoped: dict[int, bool] = {}  # id(document) -> whether it declares any `$id`
        self._where_is: dict[int, tuple[Document, str]] = {}  # id(node) -> place ($id / $anchor targets)
        self._indexed: set[int] = set()
        self._home: tuple[str, Path] | None = None  # (shown folder, real folder) of the first document
        self.document = document
        if document is not None:
            self.register(document, base_path)

    # -- documents -------------------------------------------------------------------------

    @property
    def registry(self) -> Any:
        """The ``referencing.Registry`` of every document loaded so far, loading more through
        :meth:`load`: what jsonschema validators get (without one they fetch unknown URLs)."""
        return self._registry

    def register(self, document: Document, base_path: str | Path | None = None) -> Document:
        """Tell the resolver where ``document`` lives (``base_path``: its file or its folder;
        default: ``document.path``). Idempotent."""
        if id(document) in self._uri and base_path is None:
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
        if isinstance(origin, Path):
            if self.root is None:
                self.root = origin.parent
            if self._home is None:
                self._home = (os.path.dirname(document.path), origin.parent)
            self._files.setdefault(origin, document)
            uri = origin.as_uri()
        else:
            uri = origin
        self._uri[id(document)] = uri
        self._keep.append(document)
        if uri not in self._documents:
            self._documents[uri] = document
            self._registry = self._registry.with_resource(uri, _resource(document.data))
        return document

    def uri_of(self, document: Document) -> str:
        if id(document) not in self._uri:
            self.register(document)
        return self._uri[id(document)]

    def load(self, uri: str) -> Document:
        """The document at ``uri`` (its fragment ignored): a file inside ``root``, or a URL
        through the injected ``retrieve``; :class:`RefError` (refused, escapes, cannot be loaded)
        otherwise. The one policy for what a ``$ref`` may read; cached."""
        uri = urldefrag(uri).url
        found = self._documents.get(uri)
        if found is None:
            if urlsplit(uri).scheme in ("http", "https") and self.retrieve is not None:
                found = self._fetch(uri)
            else:
                found = self._load_file(self.path_of(uri))
            self._documents[uri] = found
        return found

    def path_of(self, uri: str) -> Path:
        """The local file ``uri`` names inside ``root`` (a relative ``uri`` is relative to it);
        :class:`RefError` (remote refused, escapes) otherwise."""
        parts = urlsplit(uri)
        if parts.scheme not in ("", "file") or parts.netloc not in ("", "localhost"):
            self.refused.append(uri)
            refuse_remote(uri)
        if self.root is None:
            self.refused.append(uri)
            raise escape_error(uri)
        raw = url2pathname(parts.path) if parts.scheme else unquote(parts.path)
        target = (Path(raw) if os.path.isabs(raw) else self.root / raw).resolve()
        if not target.is_relative_to(self.root):
            self.refused.append(uri)
            raise escape_error(uri)
        return target

    def _load_file(self, target: Path) -> Document:
        cached = self._files.get(target)
        if cached is not None:
            return cached
        uri = target.as_uri()
        if self._home is None:
            display = str(target)
        else:
            shown, real = self._home
            display = os.path.normpath(os.path.join(shown, os.path.relpath(target, real)))
        try:
            document = load_document(target, limits=self.limits, display=display)
        except InputError as exc:
            if not target.exists():
                raise RefError(
                    "ref-file",
                    f"$ref `{uri}` names a file that does not exist",
                    hint=f"create {display} or correct the file name in the $ref",
                ) from None
            raise RefError(
                "ref-file",
                f"$ref `{uri}` names a file that cannot be loaded: {exc.where}: {exc.message}",
                hint=exc.hint or f"fix {display} first",
            ) from None
        self._files[target] = document
        self._uri[id(document)] = uri
        self._keep.append(document)
        return document

    def _fetch(self, url: str) -> Document:
        assert self.retrieve is not None
        try:
            fetched = self.retrieve(url)
            if isinstance(fetched, Document):
                document = fetched
            elif isinstance(fetched, bytes | str):
                text = fetched.decode("utf-8-sig") if isinstance(fetched, bytes) else fetched
                document = load_text(text, url, limits=self.limits)
            else:
                document = Document(path=url, data=fetched, text="")
        except RefError:
            raise
        except InputError as exc:
            raise RefError(
                "ref-file",
                f"remote $ref `{url}` cannot be loaded: {exc.where}: {exc.message}",
                hint=exc.hint or "check the URL",
            ) from None
        self._uri[id(document)] = url
        self._keep.append(document)
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

    def _base(self, document: Document, at: str | None) -> str:
        """The base URI of a ``$ref`` at ``at``: the document's own, or that of the nearest
        enclosing schema with an ``$id`` (``Resolver.in_subresource``'s rule)."""
        base = self.uri_of(document)
        scoped = self._scoped.get(id(document))
        if scoped is None:
            scoped = self._scoped[id(document)] = "$id" in document.text if document.text else True
        if not scoped or at is None:
            return base
        for node in jp.ancestry(document.data, at):
            found = _specification().id_of(node)
            if found is not None:
                base = urljoin(base, found)
        return base

    def _join(self, document: Document, base: str, ref: str, file_part: str, at: str | None) -> str:
        """The absolute URI ``file_part`` names; written in a local file, only a relative path
        or an http(s) URL is a reference (a ``file:`` URL or an absolute path escapes)."""
        if not base.startswith("file:"):  # inside a remote document everything is a URL
            return urljoin(base, file_part)
        parts = urlsplit(file_part)
        if parts.scheme in ("http", "https"):
            return file_part
        if parts.scheme and len(parts.scheme) > 1 and parts.scheme != "file":
            raise RefError(
                "ref-invalid",
                f"$ref `{ref}` uses the unsupported scheme `{parts.scheme}:`",
                hint="reference a file in the spec's folder by its relative path",
                **self._where(document, at),
            )
        relative = unquote(file_part)
        if parts.scheme or os.path.isabs(relative) or relative.startswith("\\"):
            raise escape_error(ref, **self._where(document, at))
        return urljoin(base, quote(relative))

    def _target(self, document: Document, ref: str, at: str | None) -> tuple[Document, str]:
        """The document ``ref`` (written in ``document`` at ``at``) points into, and the JSON
        pointer inside it; files come through the registry (loaded once), fragments that are
        plain names are ``$anchor``s."""
        from referencing.exceptions import Unresolvable, Unretrievable

        file_part, _, fragment = ref.partition("#")
        fragment = unquote(fragment)
        anchor = bool(fragment) and not fragment.startswith("/")
        base = self._base(document, at)
        if not file_part and not anchor and base == self.uri_of(document):
            return document, fragment  # the common case: no registry round trip
        uri = self._join(document, base, ref, file_part, at) if file_part else base
        uri = urldefrag(uri).url
        if uri not in self._registry:  # crawl for `$id`s here, so a failed retrieval keeps it
            self._registry = self._registry.crawl()
        try:
            retrieved = self._registry.get_or_retrieve(uri)
        except Unretrievable as exc:
            cause = exc.__cause__
            if not isinstance(cause, RefError):
                raise cause or exc from None
            raise RefError(
                cause.code,
                cause.message.replace(f"`{uri}`", f"`{ref}`"),
                hint=cause.hint,
                **self._where(document, at),
            ) from None
        self._registry = retrieved.registry
        if not anchor:
            target, prefix = self._place(retrieved.value.contents, ref, document, at)
            return target, prefix + fragment
        try:
            found = self._registry.anchor(uri, fragment)
        except Unresolvable:
            raise RefError(
                "ref-invalid",
                f"$ref `{ref}` has a fragment that is not a JSON pointer",
                hint="write the fragment as a JSON pointer, e.g. `#/components/schemas/Name`",
                **self._where(document, at),
            ) from None
        self._registry = found.registry
        return self._place(found.value.resource.contents, ref, document, at)

    def _place(self, node: Any, ref: str, document: Document, at: str | None) -> tuple[Document, str]:
        """Which loaded document holds ``node`` (a document, or a schema found by its ``$id`` or
        ``$anchor``), and where."""
        for known in self._keep:
            if known.data is node:
                return known, ""
        if id(node) not in self._where_is:
            for known in self._keep:
                if id(known) not in self._indexed:
                    self._indexed.add(id(known))
                    self._index(known)
        place = self._where_is.get(id(node))
        if place is None:  # pragma: no cover - every resource comes from a loaded document
            raise RefError("ref-unresolved", f"$ref `{ref}` points to nothing", **self._where(document, at))
        return place

    def _index(self, document: Document) -> None:
        stack: list[tuple[str, Any]] = [("", document.data)]
        while stack:
            pointer, value = stack.pop()
            if isinstance(value, dict):
                self._where_is.setdefault(id(value), (document, pointer))
                stack.extend(
                    (jp.child(pointer, k), v) for k, v in value.items() if isinstance(v, dict | list)
                )
            elif isinstance(value, list):
                stack.extend(
                    (jp.child(pointer, i), v) for i, v in enumerate(value) if isinstance(v, dict | list)
                )

    def lookup(
        self,
        document: Document,
        fragment: str,
        ref: str,
        *,
        where: Document | None = None,
        at: str | None = None,
    ) -> Any:
        """The value at ``fragment`` in ``document`` (RFC 6901, strictly); :class:`RefError`
        naming the nearest existing key when it is missing."""
        tokens = jp.parts(fragment)  # a malformed pointer raises ValueError, as before
        *_, node = nodes = list(jp.ancestry(document.data, fragment))
        depth = len(nodes) - 1  # the tokens that exist
        if depth == len(tokens):
            return node
        hint = "point the $ref at an existing location"
        if isinstance(node, dict):
            close = difflib.get_close_matches(tokens[depth], [str(k) for k in node], n=1, cutoff=0.6)
            if close:
                prefix = jp.join(*tokens[:depth])
                hint = f"did you mean `{ref.partition('#')[0]}#{prefix}/{jp.escape(close[0])}`?"
        raise RefError(
            "ref-unresolved",
            f"$ref `{ref}` points to nothing: `{fragment}` does not exist in {document.path}",
            hint=hint,
            **self._where(where or document, at),
        )

    def deref_one(self, document: Document, ref: str, *, at: str | None = None) -> tuple[Document, str, Any]:
        """One hop: (target document, pointer in it, value there). The value is the cached
        data itself, not a copy: never mutate it."""
        target, fragment = self._target(document, ref, at)
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
