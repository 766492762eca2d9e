"""relay.md: the relay harness's join (``specforge relay-check``) as Markdown — creates on each
side, then every finding with the client's side and the upstream's side."""

from __future__ import annotations

from typing import Any


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_relay_md(data: dict[str, Any]) -> str:
    findings = data.get("findings", [])
    lines = [
        f"# specforge relay-check: {data['relay_url']}",
        "",
        f"- upstream: specforge mock of `{data['upstream_variant']}` at `{data['upstream_url']}`",
        f"- run: `{data['run_id']}`, check verdict {data['verdict']}",
        f"- creates: {data['client_creates']} sent by the client, {data['upstream_creates']} received upstream "
        f"({data['matched_creates']} matched, {data['retried_creates']} sent upstream more than once); "
        f"{data['upstream_requests']} upstream requests in all",
        "",
        f"## Findings ({len(findings)})",
        "",
    ]
    if not findings:
        lines.append("None: every create reached the upstream once with the fields the client sent.")
    else:
        lines += [
            "| severity | check | finding | operation | client side | upstream side | count |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in findings:
            lines.append(
                f"| {f['severity']} | `{f['check']}` | {_cell(f['message'])} | `{_cell(f['operation'])}` | "
                f"{_cell(f['client'])} | {_cell(f['upstream'])} | {f['count']} |"
            )
    return "\n".join(lines) + "\n"
