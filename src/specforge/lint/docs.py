"""``docs/rules.md``, generated from the rule registry so the reference never drifts from the code.
Regenerate with ``python -m specforge.lint.docs`` (a test fails when the committed file is stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from specforge.lint.registry import REGISTRY, RuleRegistry

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
        "<!-- Generated from the rule registry by `python -m specforge.lint.docs`; do not edit. -->",
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
        "| Rule | Severity | Checks | Title |",
        "|---|---|---|---|",
    ]
    for rule in rules:
        out.append(
            f"| [{rule.id}](#{rule.anchor}) | {rule.severity.value} | {_TARGETS[rule.target]} | {rule.title} |"
        )
    out.append("")
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


def main(argv: list[str] | None = None) -> int:
    import argparse

    import specforge.lint  # noqa: F401 - registers the built-in rules
    from specforge.core.output import write_atomic

    parser = argparse.ArgumentParser(
        prog="python -m specforge.lint.docs",
        description="Regenerate the lint rules reference from the registry.",
    )
    parser.add_argument(
        "target", nargs="?", type=Path, default=Path(__file__).resolve().parents[3] / "docs" / "rules.md"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    write_atomic(args.target, rules_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
