"""The merge policy, read from ``[merge]`` in specforge.toml: who wins where variants disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specforge.core import Config, InputError
from specforge.core.config import suggest

ALLOWED_KEYS = ("prefer", "fallback", "min-variants", "title", "version", "description", "server")
FALLBACKS = ("majority", "first")


@dataclass(frozen=True)
class Policy:
    """``prefer``: variants whose shape wins a conflict, in order (default: the official ``openai``
    contract). ``fallback``: how a conflict among other variants is decided — "majority" (the shape
    most variants document; ties go to the earlier variant in specforge.toml) or "first".
    ``min_variants``: fields fewer variants document stay out of the canonical (overlay only)."""

    prefer: tuple[str, ...] = ("openai",)
    fallback: str = "majority"
    min_variants: int = 1
    title: str = "OpenAI-compatible video generation API (canonical)"
    version: str | None = None
    description: str | None = None
    server: str | None = None
    variants: tuple[str, ...] = field(default=())

    def order(self) -> list[str]:
        """Variants by precedence: preferred ones first, then the rest in config order."""
        first = [v for v in self.prefer if v in self.variants]
        return first + [v for v in self.variants if v not in first]

    def choose(self, shapes: dict[str, Any]) -> tuple[str, str]:
        """(winning variant, rule) among ``shapes`` (variant -> comparable shape), which lists
        only the variants that document the thing, in config order."""
        for name in self.prefer:
            if name in shapes:
                return name, f"prefer: {name} (the [merge] prefer list)"
        documented = [v for v in self.variants if v in shapes] or list(shapes)
        if self.fallback == "first" or len(documented) == 1:
            return documented[0], "fallback: first (earliest variant in specforge.toml)"
        counts: dict[Any, int] = {}
        for variant in documented:
            counts[shapes[variant]] = counts.get(shapes[variant], 0) + 1
        best = max(counts.values())
        winner = next(v for v in documented if counts[shapes[v]] == best)
        return winner, f"fallback: majority ({best} of {len(documented)} variants agree)"

    def describe(self) -> str:
        prefer = ", ".join(self.prefer) or "(none)"
        return (
            f"prefer = [{prefer}]; fallback = {self.fallback}; min-variants = {self.min_variants}; "
            "fields only some variants document are optional and list their variants"
        )


#: the ``[merge]`` table of specforge.toml
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "prefer": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "x-expect": "a list of variant names",
            "x-fix": 'e.g. prefer = ["openai"]',
        },
        "fallback": {"enum": list(FALLBACKS)},
        "min-variants": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "version": {"type": "string"},
        "description": {"type": "string"},
        "server": {"type": "string"},
    },
    "additionalProperties": False,
}
assert set(SCHEMA["properties"]) == set(ALLOWED_KEYS)


def load_policy(config: Config) -> Policy:
    """The ``[merge]`` table (validated by :data:`SCHEMA`) as a :class:`Policy`; unknown
    variants in ``prefer`` are input errors with a suggestion."""
    table = config.section("merge", schema=SCHEMA)
    variants = tuple(config.variants)
    prefer_raw = table.get("prefer", ["openai"])
    if isinstance(prefer_raw, str):
        prefer_raw = [prefer_raw]
    for name in prefer_raw:
        if variants and name not in variants and not (name == "openai" and "prefer" not in table):
            raise InputError(
                f"[merge] prefer names unknown variant `{name}`{suggest(name, variants)}",
                file=str(config.file or "specforge.toml"),
                line=config.lines.line(("merge", "prefer")) if config.lines else None,
                hint=f"known variants: {', '.join(variants)}",
            )
    fallback = table.get("fallback", "majority")
    min_variants = table.get("min-variants", 1)
    return Policy(
        prefer=tuple(v for v in prefer_raw if v in variants) if variants else tuple(prefer_raw),
        fallback=fallback,
        min_variants=min_variants,
        title=table.get("title", Policy.title),
        version=table.get("version"),
        description=table.get("description"),
        server=table.get("server"),
        variants=variants,
    )
