"""The generated references: ``docs/rules.md`` from the lint rule registry,
``docs/diff-kinds.md`` from the diff change-kind registry (with where oasdiff classifies
differently) and ``docs/severity.md`` from check's severity rules, so none drifts from the code.
Regenerate them with ``python -m specforge.render.reference_docs`` (tests fail when a committed
file is stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from specforge.check.severity import RULES, Rule
from specforge.diff.kinds import KINDS, ChangeKind, KindRegistry
from specforge.lint.registry import REGISTRY, RuleRegistry
from specforge.render.markdown import table

_TARGETS = {
    "document": "the whole document",
    "schema": "every Schema Object",
    "operation": "every operation",
    "media": "every request and response media type",
    "variants": "the variants' sources side by side (cross-variant)",
}


def rules_markdown(registry: RuleRegistry = REGISTRY) -> str:
    rules = sorted(registry, key=lambda r: (r.cross_variant, r.id))
    out = [
        "# specforge lint rules",
        "",
        "<!-- Generated from the rule registry by `python -m specforge.render.reference_docs`; do not edit. -->",
        "",
        "Every rule has an id, a default severity, the reason it exists and how to fix what it finds.",
        "Configure them in `specforge.toml`:",
        "",
        "```toml",
        "[lint]",
        'disable = ["SF-NO-ERROR-RESPONSE"]           # or enable = [...] to run only those',
        'severity = { "SF-FIELD-ALIAS" = "info" }     # error | warning | info | off',
        'fail-on = "error"                            # lowest severity that fails the run',
        'baseline = "specforge-lint-baseline.json"    # findings accepted earlier',
        "```",
        "",
        "Silence a rule for one object and everything under it with `x-specforge-ignore: [RULE]`",
        "(or `[ALL]`) on that object. Selectors accept a prefix: `SF-EXAMPLE` means every",
        "`SF-EXAMPLE-*` rule.",
        "",
        *table(
            ("Rule", "Severity", "Checks", "Title"),
            ((f"[{r.id}](#{r.anchor})", r.severity.value, _TARGETS[r.target], r.title) for r in rules),
        ),
        "",
    ]
    for rule in rules:
        out += [
            f"## {rule.id}",
            "",
            f"**{rule.title}** — default severity `{rule.severity.value}`; checks {_TARGETS[rule.target]}.",
            "",
            rule.rationale,
            "",
            f"**Fix:** {rule.hint}",
            "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"


_AREAS = {
    "operations": "Operations and authentication",
    "parameters": "Parameters",
    "bodies": "Bodies and media types",
    "responses": "Response statuses",
    "schemas": "Schemas (bodies, properties, parameter values)",
}


def _effect(kind: ChangeKind, side: str) -> str:
    value = kind.request if side == "request" else kind.response
    return (
        f"**{value.value}**"
        if value is not None and value.value == "breaking"
        else value.value
        if value
        else "—"
    )


def _ours(kind: ChangeKind) -> str:
    sides = (("request", kind.request), ("response", kind.response))
    return "; ".join(f"{side}: {e.value}" for side, e in sides if e)


def kinds_markdown(registry: KindRegistry = KINDS) -> str:
    out = [
        "# specforge diff: change kinds",
        "",
        "<!-- Generated from the change-kind registry by `python -m specforge.render.reference_docs`; do not edit. -->",
        "",
        "`specforge diff OLD NEW` normalizes both documents (OpenAPI 3.0 → 3.1, the server's path prefix",
        "folded into the paths, components named by role), walks them side by side — operations by",
        "method and path shape, parameters by location and name, bodies by media type, responses by",
        "status, schemas through their `$ref`s — and classifies every difference by its effect on a",
        "client written against OLD:",
        "",
        "- **breaking**: some request such a client sends is refused, or some response it gets cannot",
        "  be read as it expects (exit 1 with `--fail-on breaking`);",
        "- **potentially-breaking**: it depends on what the client or server does with it",
        "  (`--fail-on potentially-breaking`);",
        "- **compatible**: no client of OLD notices.",
        "",
        "The request side is what the client sends, the response side what it reads, and the two run in",
        "opposite directions: a response enum gaining a value breaks clients, a request enum gaining one",
        "does not. Kinds that only say something is absent are not reported when NEW is an observed",
        "source (`specforge ingest --cassette`): an endpoint not exercised is not an endpoint removed.",
        "In the findings formats the effect is the severity (breaking = error, potentially-breaking =",
        "warning, compatible = info) and the kind is the rule id.",
        "",
    ]
    kinds = list(registry)
    ordered = [k for area in _AREAS for k in kinds if k.area == area]
    out += table(
        ("Kind", "Request side", "Response side", "Rule"),
        ((f"[{k.id}](#{k.anchor})", _effect(k, "request"), _effect(k, "response"), k.title) for k in ordered),
    )
    out.append("")
    for area, heading in _AREAS.items():
        out += [f"## {heading}", ""]
        for kind in (k for k in kinds if k.area == area):
            out += [
                f"### {kind.id}",
                "",
                f"**{kind.title}** — request: {_effect(kind, 'request')}; response: "
                f"{_effect(kind, 'response')}.",
                "",
                kind.why,
                "",
            ]
            if kind.absence:
                out += ["Not reported against an observed source (absence is not evidence).", ""]
    out += [
        "## Where specforge and oasdiff classify differently",
        "",
        "oasdiff (the reference Go tool) publishes its breaking-change rules as examples generated from",
        "its tests (`docs/BREAKING-CHANGES-EXAMPLES.md` in its repository). For the kinds both tools",
        "have, these are the ones classified differently, and why specforge does:",
        "",
    ]
    out += table(
        ("Kind", "oasdiff", "specforge, and why"),
        ((f"[{k.id}](#{k.anchor})", k.oasdiff, f"{_ours(k)} — {k.why}") for k in kinds if k.oasdiff),
    )
    out += [
        "",
        "Besides: oasdiff compares the documents as written. Its OpenAPI 3.1 support is in beta (its",
        "`docs/OPENAPI-31.md`), a `/v1` server prefix against `/v1` in the paths needs its",
        "`--strip-prefix-base`/`--prefix-revision` flags (`docs/PATH-PREFIX.md`), and a 3.0 document",
        "against its 3.1 spelling (`nullable: true` versus `type: [..., 'null']`, `example` versus",
        "`examples`, a hoisted or renamed component) is compared keyword by keyword. specforge",
        "normalizes both sides first (`specforge.normalize`): those pairs are no change, and the test",
        "suite proves it for every bundled variant (its 3.0 source against canonical + overlay in 3.1).",
        "Kinds oasdiff has and specforge does not (deprecation and sunset policies, stability levels,",
        "pattern, discriminator, headers, links, tags, operation ids) are out of",
        "scope: vendor docs of these APIs do not use them.",
        "",
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def severity_markdown(rules: tuple[Rule, ...] = RULES) -> str:
    """docs/severity.md, generated from the severity rules (``check.severity.RULES``)."""
    lines = [
        "# Severity of conformance failures",
        "",
        "<!-- Generated from RULES in src/specforge/check/severity.py by `python -m specforge.render.reference_docs`; do not edit. -->",
        "",
        "Every cause in a `specforge check` report has one severity. `--fail-on LEVEL` (check, run, nightly)",
        "makes the exit code 1 only when a cause at LEVEL or worse is found.",
        "",
        "- **blocking**: an OpenAI-SDK client or the job lifecycle breaks (create rejected, poll or content",
        "  broken, types the SDK cannot read, auth broken);",
        "- **major**: a real defect a client can work around;",
        "- **minor**: cosmetic or protocol hygiene (an `Allow` header, an undocumented 4xx).",
        "",
        "Rules are read top to bottom; the first that matches wins. A cause spanning several operations takes",
        "the most severe level of its failures.",
        "",
        "| # | severity | check | when | why |",
        "|---|---|---|---|---|",
    ]
    for number, rule in enumerate(rules, 1):
        checks = ", ".join(f"`{c}`" for c in rule.checks) or "any"
        lines.append(f"| {number} | {rule.level.value} | {checks} | {rule.when} | {rule.why} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    import specforge.lint  # noqa: F401 - registers the built-in rules
    from specforge.core.output import write_atomic

    docs = Path(__file__).resolve().parents[3] / "docs"
    parser = argparse.ArgumentParser(
        prog="python -m specforge.render.reference_docs",
        description="Regenerate docs/rules.md, docs/diff-kinds.md and docs/severity.md from their registries.",
    )
    parser.add_argument("--docs", type=Path, default=docs, help="the docs folder (default: the project's)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    write_atomic(args.docs / "rules.md", rules_markdown())
    write_atomic(args.docs / "diff-kinds.md", kinds_markdown())
    write_atomic(args.docs / "severity.md", severity_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
