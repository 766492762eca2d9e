"""``docs/diff-kinds.md``, generated from the change-kind registry so the reference never drifts
from the code. Regenerate with ``python -m specforge.diff.docs`` (a test fails when the committed
file is stale). The comparison with oasdiff's published rules is part of the registry too."""

from __future__ import annotations

import sys
from pathlib import Path

from specforge.diff.kinds import KINDS, ChangeKind, KindRegistry

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


def kinds_markdown(registry: KindRegistry = KINDS) -> str:
    out = [
        "# specforge diff: change kinds",
        "",
        "<!-- Generated from the change-kind registry by `python -m specforge.diff.docs`; do not edit. -->",
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
        "| Kind | Request side | Response side | Rule |",
        "|---|---|---|---|",
    ]
    kinds = list(registry)
    for area in _AREAS:
        for kind in (k for k in kinds if k.area == area):
            out.append(
                f"| [{kind.id}](#{kind.anchor}) | {_effect(kind, 'request')} | {_effect(kind, 'response')} | "
                f"{kind.title} |"
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
        "| Kind | oasdiff | specforge, and why |",
        "|---|---|---|",
    ]
    for kind in kinds:
        if kind.oasdiff:
            ours = "; ".join(
                f"{side}: {e.value}"
                for side, e in (("request", kind.request), ("response", kind.response))
                if e
            )
            out.append(f"| [{kind.id}](#{kind.anchor}) | {kind.oasdiff} | {ours} — {kind.why} |")
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


def main(argv: list[str] | None = None) -> int:
    import argparse

    from specforge.core.output import write_atomic

    parser = argparse.ArgumentParser(
        prog="python -m specforge.diff.docs",
        description="Regenerate the diff change-kinds reference from the registry.",
    )
    parser.add_argument(
        "target", nargs="?", type=Path, default=Path(__file__).resolve().parents[3] / "docs" / "diff-kinds.md"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    write_atomic(args.target, kinds_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
