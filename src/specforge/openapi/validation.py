"""The OpenAPI validation entry points: :class:`RefGuard`, core.refs' one ``$ref`` resolver in the
shapes third-party libraries take (a ``load`` callable, jsonschema-path handlers, a referencing
registry), and :func:`openapi_validator`, the one way specforge runs openapi-spec-validator.

Why one guard for all of them: each of those libraries fetches ``http(s)://`` and opens ``file:``
URLs by default, so one hostile ``$ref`` would read ``/etc/passwd`` into a finding or send a GET
(see ``specforge.core.guard``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from specforge.core.refs import IN_MEMORY, RefResolver


class RefGuard:
    """The one ``$ref`` resolver (:class:`specforge.core.refs.RefResolver`) as third-party
    libraries want it: a ``load(uri)`` callable, jsonschema-path handlers, a referencing registry.
    Files inside ``root`` are served, nothing else; ``root`` ``None`` refuses every file.
    ``base_uri`` is what to tell a library the document's own address is."""

    def __init__(self, root: Path | None, *, document: Path | None = None) -> None:
        self.resolver = RefResolver(root=root)
        self.root = self.resolver.root
        spec = (
            document.resolve()
            if document is not None
            else (self.root / "openapi.yaml")
            if self.root is not None
            else None
        )
        self.base_uri = spec.as_uri() if spec is not None else IN_MEMORY

    @property
    def refused(self) -> list[str]:
        """Every URI refused, for callers that want to report them."""
        return self.resolver.refused

    def load(self, uri: str) -> Any:
        """The data at ``uri`` (a file inside ``root``), loaded with specforge's limits."""
        return self.resolver.load(uri).data

    def handlers(self) -> Mapping[str, Callable[[str], Any]]:
        """jsonschema-path / openapi-spec-validator ``handlers``: every scheme goes to
        :meth:`load` (the library's fallback to ``urlopen`` is never reached)."""
        return _EveryScheme(self.load)

    def registry(self) -> Any:
        """The resolver's ``referencing.Registry``, for jsonschema validators: without one,
        jsonschema falls back to fetching unknown ``$ref`` URLs with urlopen."""
        return self.resolver.registry


class _EveryScheme(Mapping[str, Callable[[str], Any]]):
    """A handler table that answers every scheme with one handler."""

    def __init__(self, handler: Callable[[str], Any]) -> None:
        self._handler = handler

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return self._handler

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(("", "file", "http", "https"))

    def __len__(self) -> int:
        return 4


def openapi_validator(data: dict[str, Any], version: str, guard: RefGuard | None = None) -> Any:
    """openapi-spec-validator's validator for ``data`` ("3.0" or "3.1"), resolving refs only
    through ``guard`` (default: no files at all). The one way specforge runs that library."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    guard = guard or RefGuard(None)
    cls = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    return cls(SchemaPath.from_dict(data, base_uri=guard.base_uri, handlers=guard.handlers()))
