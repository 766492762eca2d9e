"""The one place lint rules are registered. A rule is a plain function plus metadata (id, title,
default severity, rationale, fix hint); it yields findings with JSON pointers and never knows file
names or line numbers: the engine turns pointers into ``file:line:col``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from specforge.core.diagnostics import Location, Severity

#: What a rule is given. ``document``: the whole OpenAPI document (pointers are absolute);
#: ``schema``: every Schema Object (pointers relative to it); ``operation``: every operation
#: (relative to it); ``media``: every Media Type Object (relative to it); ``variants``: the fields
#: of every variant side by side (cross-variant rules; each finding names its places).
Target = Literal["document", "schema", "operation", "media", "variants"]
TARGETS: tuple[str, ...] = ("document", "schema", "operation", "media", "variants")

RULE_ID = re.compile(r"^SF-[A-Z0-9]+(-[A-Z0-9]+)*$")
DOCS_PAGE = "docs/rules.md"


@dataclass(frozen=True, slots=True)
class Place:
    """One variant's place in a cross-variant finding: a pointer into that variant's source."""

    variant: str
    pointer: str
    key: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule yields: a pointer (relative to the node the rule was given, absolute for
    ``document`` rules; ``#/...`` is absolute for any rule) and a message. ``key=True`` reports on the key rather than the value
    (Redocly's ``reportOnKey``). Cross-variant rules fill ``places`` instead of ``pointer``."""

    pointer: str
    message: str
    key: bool = False
    places: tuple[Place, ...] = ()
    #: an extra sentence for this occurrence only (the rule's hint is the general fix)
    hint: str | None = None
    #: a position already known (e.g. the loader's), used instead of locating ``pointer``
    at: Location | None = None
    #: other places the finding is about (e.g. the line of the vendor page it contradicts)
    related: tuple[Location, ...] = ()


RuleFunction = Callable[..., Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    target: str
    rationale: str
    hint: str
    function: RuleFunction = field(repr=False, compare=False)
    #: for ``schema`` rules: run only on Schema Objects having one of these keys (speed)
    requires: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """The heading anchor of this rule in ``docs/rules.md``."""
        return self.id.lower()

    @property
    def docs(self) -> str:
        return f"{DOCS_PAGE}#{self.anchor}"

    @property
    def cross_variant(self) -> bool:
        return self.target == "variants"

    def run(self, *args: Any) -> Iterator[Finding]:
        yield from self.function(*args)


class DuplicateRuleError(ValueError):
    """Two rules registered under one id: a programming error, reported with the exact id."""


class RuleRegistry:
    """Rules by id, in registration order."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def register(self, rule: Rule) -> Rule:
        if not RULE_ID.match(rule.id):
            raise ValueError(f"rule id {rule.id!r} must look like SF-UPPER-KEBAB (e.g. SF-SHAPE-DIVERGENCE)")
        if rule.target not in TARGETS:
            raise ValueError(
                f"rule {rule.id}: unknown target {rule.target!r} (choose one of: {', '.join(TARGETS)})"
            )
        if rule.id in self._rules:
            raise DuplicateRuleError(f"rule {rule.id!r} is already registered")
        self._rules[rule.id] = rule
        return rule

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def ids(self) -> list[str]:
        return list(self._rules)


REGISTRY = RuleRegistry()


def rule(
    id: str,
    *,
    title: str,
    severity: Severity | str,
    target: Target,
    rationale: str,
    hint: str,
    requires: tuple[str, ...] = (),
    registry: RuleRegistry | None = None,
) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as a rule (in ``REGISTRY`` unless told otherwise)."""

    def decorate(function: RuleFunction) -> RuleFunction:
        (registry if registry is not None else REGISTRY).register(
            Rule(
                id=id,
                title=title,
                severity=Severity(severity),
                target=target,
                rationale=" ".join(rationale.split()),
                hint=" ".join(hint.split()),
                function=function,
                requires=requires,
            )
        )
        return function

    return decorate
