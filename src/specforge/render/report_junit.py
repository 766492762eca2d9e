"""junit.xml: first a "causes" <testsuite> (one failing <testcase> per cause, most severe first,
with the run's score, index and cause counts as properties), then one <testsuite> per phase, one
<testcase> per case (passed ones included), so CI systems show every exchange; infrastructure
errors are <error>, conformance failures <failure>."""

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
        tests=str(len(result.cases) + len(result.causes)),
        failures=str(sum(1 for c in result.cases if c.status is CaseStatus.FAILED) + len(result.causes)),
        errors=str(sum(1 for c in result.cases if c.status is CaseStatus.ERROR)),
        skipped=str(sum(1 for c in result.cases if c.status is CaseStatus.SKIPPED)),
        time=f"{result.duration:.3f}",
    )
    _causes_suite(root, result)
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
                suite,
                "testcase",
                classname=f"{phase}.{case.operation}",
                name=f"{case.operation} [{case.id}]",
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
                        line
                        for line in (
                            failure.diagnostic.message,
                            f"expected: {failure.expected}" if failure.expected else "",
                            f"actual: {failure.actual}" if failure.actual else "",
                            f"response: {failure.response_excerpt}" if failure.response_excerpt else "",
                            f"reproduce: {failure.curl}" if failure.curl else "",
                        )
                        if line
                    )
                    ET.SubElement(
                        element, "failure", type=failure.check, message=failure.diagnostic.message[:300]
                    ).text = text
            elif case.status is CaseStatus.ERROR:
                ET.SubElement(
                    element, "error", message=case.message or "infrastructure error"
                ).text = case.message
            elif case.status is CaseStatus.SKIPPED:
                ET.SubElement(element, "skipped", message=case.message or "skipped")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _causes_suite(root: ET.Element, result: CheckResult) -> None:
    suite = ET.SubElement(
        root,
        "testsuite",
        name="causes",
        tests=str(len(result.causes)),
        failures=str(len(result.causes)),
        errors="0",
        skipped="0",
        time="0.000",
    )
    props = ET.SubElement(suite, "properties")
    by = result.to_dict()["summary"]["causes_by_severity"]
    values = {
        "score": f"{result.score:g}",
        "index": f"{result.index:g}",
        **{f"causes.{level}": str(n) for level, n in by.items()},
    }
    for op in result.operations:
        values[f"index.{op.label}"] = f"{op.index:g}"
        values[f"score.{op.label}"] = f"{op.score:g}"
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=value)
    for number, cause in enumerate(result.causes, 1):
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"causes.{cause.severity.value}",
            name=f"{number}. [{cause.severity.value}] {cause.check}: {cause.statement[:200]}",
            time="0",
        )
        text = "\n".join(
            line
            for line in (
                cause.statement,
                "operations: " + ", ".join(cause.operations),
                f"seen {cause.count} time(s); cassette entries: " + ", ".join(map(str, cause.cassette)),
                f"expected: {cause.expected}" if cause.expected else "",
                f"actual: {cause.actual}" if cause.actual else "",
                f"reproduce: {cause.reproduction}" if cause.reproduction else "",
            )
            if line
        )
        ET.SubElement(case, "failure", type=cause.severity.value, message=cause.statement[:300]).text = text
