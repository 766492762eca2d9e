"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, the rules that produced
findings as ``reportingDescriptor``s, each finding a result with its physical location (relative
to ``%SRCROOT%``; the region is the node's exact span when the loader knows it), its JSON pointer as a logical location, cross-variant places as
``relatedLocations`` and a line-independent fingerprint."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from specforge.core.diagnostics import Diagnostic, Location
from specforge.render.findings_model import FindingsReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(file: str) -> str:
    return quote(PurePath(file).as_posix(), safe="/:@-._~")


def _physical(
    file: str, line: int | None, col: int | None, end_line: int | None = None, end_col: int | None = None
) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": _uri(file), "uriBaseId": "%SRCROOT%"}}
    if line is not None:
        region: dict[str, Any] = {"startLine": line}
        if col is not None:
            region["startColumn"] = col
            if end_line is not None and end_col is not None:
                region["endLine"], region["endColumn"] = end_line, end_col
        location["region"] = region
    return location


def _result(d: Diagnostic, report: FindingsReport, rule_index: dict[str, int], index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": _physical(d.file or "<input>", d.line, d.col, d.end_line, d.end_col)
    }
    if d.pointer:
        location["logicalLocations"] = [{"fullyQualifiedName": d.pointer, "kind": "object"}]
    result: dict[str, Any] = {
        "ruleId": d.code,
        "level": _LEVELS[d.severity.value],
        "message": {"text": d.message + (f" (fix: {d.hint})" if d.hint else "")},
        "locations": [location],
    }
    if d.code in rule_index:
        result["ruleIndex"] = rule_index[d.code]
    if d.related:
        result["relatedLocations"] = [_related(i, r) for i, r in enumerate(d.related)]
    if index < len(report.fingerprints):
        result["partialFingerprints"] = {"specforgeFingerprint/v1": report.fingerprints[index]}
    if d.variants:
        result["properties"] = {"variants": list(d.variants)}
    return result


def _related(index: int, location: Location) -> dict[str, Any]:
    related: dict[str, Any] = {
        "id": index,
        "physicalLocation": _physical(
            location.file, location.line, location.col, location.end_line, location.end_col
        ),
    }
    if location.pointer:
        related["message"] = {"text": location.pointer}
    return related


def render_sarif(report: FindingsReport) -> str:
    used = list(dict.fromkeys(d.code for d in report.diagnostics))
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for code in used:
        info = report.rules.get(code)
        descriptor: dict[str, Any] = {"id": code}
        if info is not None:
            descriptor["name"] = "".join(w.capitalize() for w in code.split("-")[1:]) or code
            descriptor["shortDescription"] = {"text": info.title}
            if info.rationale:
                descriptor["fullDescription"] = {"text": info.rationale}
            if info.hint:
                descriptor["help"] = {"text": info.hint}
            descriptor["defaultConfiguration"] = {"level": _LEVELS.get(info.severity, "warning")}
            uri = report.help_uri(code)
            if uri and "://" in uri:
                descriptor["helpUri"] = uri
        rule_index[code] = len(rules)
        rules.append(descriptor)
    driver: dict[str, Any] = {"name": report.tool, "rules": rules}
    if report.version:
        driver["version"] = report.version
        driver["semanticVersion"] = report.version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the directory specforge was run in"}}},
        "artifacts": [{"location": {"uri": _uri(f), "uriBaseId": "%SRCROOT%"}} for f in report.files],
        "results": [_result(d, report, rule_index, i) for i, d in enumerate(report.diagnostics)],
        "columnKind": "unicodeCodePoints",
    }
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
