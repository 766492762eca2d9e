"""JUnit XML for CI test tabs: one test suite per rule-checked file, one test case per file and
rule that fired (a failure listing every finding), and a passing case for clean files, so CI
dashboards show both what broke and what was checked."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from specforge.render.findings_model import FindingsReport


def render_junit(report: FindingsReport) -> str:
    root = ET.Element("testsuites", name=report.title or f"{report.tool} lint")
    grouped = report.by_file()
    files = list(dict.fromkeys([*report.files, *grouped]))
    total = failures = 0
    for file in files:
        found = grouped.get(file, [])
        suite = ET.SubElement(root, "testsuite", name=file)
        by_rule: dict[str, list] = {}
        for d in found:
            by_rule.setdefault(d.code, []).append(d)
        cases = 0
        suite_failures = 0
        if not by_rule:
            ET.SubElement(
                suite, "testcase", classname=file, name=report.title.split()[-1] if report.title else "lint"
            )
            cases = 1
        for code, diagnostics in by_rule.items():
            case = ET.SubElement(suite, "testcase", classname=file, name=code)
            cases += 1
            worst = max(diagnostics, key=lambda d: d.severity.rank)
            lines = []
            for d in diagnostics:
                lines.append(f"{d.location}: {d.severity.value}: {d.message} [{d.code}]")
                if d.pointer:
                    lines.append(f"    at {d.pointer}")
                lines.extend(f"    also {r}" for r in d.related)
            if worst.severity.value == "info":
                ET.SubElement(case, "system-out").text = "\n".join(lines)
                continue
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{len(diagnostics)} finding(s): {diagnostics[0].message}",
                type=worst.severity.value,
            )
            failure.text = "\n".join(lines)
            suite_failures += 1
        suite.set("tests", str(cases))
        suite.set("failures", str(suite_failures))
        suite.set("errors", "0")
        total += cases
        failures += suite_failures
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
