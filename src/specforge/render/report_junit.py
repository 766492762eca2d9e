"""junit.xml: one <testsuite> per phase, one <testcase> per case (passed ones included), so CI
systems show every exchange; infrastructure errors are <error>, conformance failures <failure>."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from specforge.check.model import CaseRecord, CaseStatus, CheckResult


def render_report_junit(result: CheckResult) -> str:
    by_phase: dict[str, list[CaseRecord]] = defaultdict(list)
    for case in result.cases:
        by_phase[case.phase].append(case)
    failures_by_case = defaultdict(list)
    for failure in result.failures:
        failures_by_case[failure.case_id].append(failure)
    root = ET.Element(
        "testsuites",
        name=f"specforge check {result.base_url}",
        tests=str(len(result.cases)),
        failures=str(sum(1 for c in result.cases if c.status is CaseStatus.FAILED)),
        errors=str(sum(1 for c in result.cases if c.status is CaseStatus.ERROR)),
        skipped=str(sum(1 for c in result.cases if c.status is CaseStatus.SKIPPED)),
        time=f"{result.duration:.3f}",
    )
    for phase, cases in by_phase.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=phase,
            tests=str(len(cases)),
            failures=str(sum(1 for c in cases if c.status is CaseStatus.FAILED)),
            errors=str(sum(1 for c in cases if c.status is CaseStatus.ERROR)),
            skipped=str(sum(1 for c in cases if c.status is CaseStatus.SKIPPED)),
            time=f"{sum(c.duration for c in cases):.3f}",
        )
        for case in cases:
            element = ET.SubElement(
                suite, "testcase", classname=f"{phase}.{case.operation}", name=f"{case.operation} [{case.id}]",
                time=f"{case.duration:.4f}",
            )
            if case.checks:
                props = ET.SubElement(element, "properties")
                ET.SubElement(props, "property", name="checks", value=", ".join(case.checks))
            if case.status is CaseStatus.FAILED:
                if not failures_by_case.get(case.id):
                    ET.SubElement(element, "failure", message=case.message or "failed").text = case.message
                for failure in failures_by_case.get(case.id, []):
                    text = "\n".join(
                        line for line in (
                            failure.diagnostic.message,
                            f"expected: {failure.expected}" if failure.expected else "",
                            f"actual: {failure.actual}" if failure.actual else "",
                            f"response: {failure.response_excerpt}" if failure.response_excerpt else "",
                            f"reproduce: {failure.curl}" if failure.curl else "",
                        ) if line
                    )
                    ET.SubElement(element, "failure", type=failure.check, message=failure.diagnostic.message[:300]).text = text
            elif case.status is CaseStatus.ERROR:
                ET.SubElement(element, "error", message=case.message or "infrastructure error").text = case.message
            elif case.status is CaseStatus.SKIPPED:
                ET.SubElement(element, "skipped", message=case.message or "skipped")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
