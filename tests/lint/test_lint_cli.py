"""``specforge lint`` end to end with click's CliRunner on a small two-variant project."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner

from specforge.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lint"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_help_has_an_example() -> None:
    code, output = run("--help")
    assert code == 0 and "Example" in output and "specforge lint" in output


def test_project_text_output_groups_by_file_with_a_code_frame(project: Path) -> None:
    code, output = run()
    assert code == 1
    assert output.startswith("specs/sources/relay.yaml\n")
    assert "  40:9: SF-TYPE-DIVERGENCE error: `seconds` (create response json)" in output
    assert "40 |         seconds: {type: integer}" in output
    assert "   |         ^^^^^^^ SF-TYPE-DIVERGENCE" in output
    assert "= also: specs/sources/openai.yaml:36:9" in output
    assert "\x1b[" not in output  # no colour when not a TTY
    assert output.rstrip().endswith("Found 1 problem (1 error) in 1 file.")


def test_clean_file_exits_zero(project: Path) -> None:
    code, output = run("specs/sources/openai.yaml")
    assert code == 0
    assert "All checks passed! 1 file linted." in output


def test_fail_on_threshold(project: Path) -> None:
    # the SF-TYPE-DIVERGENCE error demoted to info: fails only with --fail-on info
    (project / "specforge.toml").write_text(
        (project / "specforge.toml").read_text() + '\n[lint]\nseverity = { "SF-TYPE-DIVERGENCE" = "info" }\n'
    )
    assert run()[0] == 0
    assert run("--fail-on", "warning")[0] == 0
    assert run("--fail-on", "info")[0] == 1


def test_config_disable_and_cli_select(project: Path) -> None:
    (project / "specforge.toml").write_text(
        (project / "specforge.toml").read_text() + '\n[lint]\ndisable = ["SF-TYPE-DIVERGENCE"]\n'
    )
    assert run()[0] == 0
    code, output = run("--select", "SF-NO-ERROR-RESPONSE", "--format", "json")
    assert code == 0 and json.loads(output)["findings"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml"], "missing.yaml: file not found"),
        (["--select", "SF-TYPO-DIVERGENCE"], "unknown rule `SF-TYPO-DIVERGENCE`"),
        (["--baseline", "nope.json"], "baseline file not found"),
    ],
)
def test_bad_input_exits_two(project: Path, args: list[str], message: str) -> None:
    from specforge.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["lint", *args])
    assert exited.value.code == 2


def test_bad_input_message(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from specforge.cli import main

    with pytest.raises(SystemExit):
        main(["lint", "--select", "SF-TYPE-DIVERGENC"])
    err = capsys.readouterr().err
    assert "unknown rule `SF-TYPE-DIVERGENC` (did you mean `SF-TYPE-DIVERGENCE`?)" in err


def test_unknown_lint_config_key_suggests(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from specforge.cli import main

    (project / "specforge.toml").write_text(
        (project / "specforge.toml").read_text() + "\n[lint]\ndisabled = []\n"
    )
    with pytest.raises(SystemExit) as exited:
        main(["lint"])
    assert exited.value.code == 2
    assert "did you mean `disable`?" in capsys.readouterr().err


def test_inline_ignore_suppresses_at_and_under_the_object(project: Path) -> None:
    relay = project / "specs/sources/relay.yaml"
    relay.write_text(
        relay.read_text().replace(
            "    Video:\n", "    Video:\n      x-specforge-ignore: [SF-TYPE-DIVERGENCE]\n"
        )
    )
    code, output = run("--format", "json")
    assert code == 0
    assert json.loads(output)["summary"]["suppressed"] == 1


def test_baseline_survives_unrelated_edits(project: Path) -> None:
    code, _ = run("--update-baseline")
    assert code == 0
    baseline = project / "specforge-lint-baseline.json"
    entries = json.loads(baseline.read_text())["findings"]
    assert [e["code"] for e in entries] == ["SF-TYPE-DIVERGENCE"]
    assert run("--baseline", str(baseline))[0] == 0
    # shift every line of both files: the fingerprints do not use line numbers
    for name in ("openai", "relay"):
        path = project / f"specs/sources/{name}.yaml"
        path.write_text("# a comment\n# another\n" + path.read_text())
    code, output = run("--baseline", str(baseline), "--format", "json")
    assert code == 0 and json.loads(output)["summary"]["baselined"] == 1
    # a new finding is still reported
    relay = project / "specs/sources/relay.yaml"
    relay.write_text(relay.read_text().replace("        '400':\n          description: bad request\n", ""))
    code, output = run("--baseline", str(baseline), "--format", "json", "--fail-on", "warning")
    assert code == 1
    assert [f["code"] for f in json.loads(output)["findings"]] == ["SF-NO-ERROR-RESPONSE"]


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(project: Path) -> None:
    code, output = run("--format", "sarif")
    assert code == 1
    document = json.loads(output)
    schema = json.loads((FIXTURES / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.Draft4Validator(schema).validate(document)
    result = document["runs"][0]["results"][0]
    assert result["ruleId"] == "SF-TYPE-DIVERGENCE" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (40, 9)
    assert (
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "specs/sources/openai.yaml"
    )
    assert result["partialFingerprints"]["specforgeFingerprint/v1"]
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "SF-TYPE-DIVERGENCE"


def test_junit_has_a_failure_per_file_and_rule(project: Path) -> None:
    code, output = run("--format", "junit")
    assert code == 1
    root = ET.fromstring(output)
    assert root.get("failures") == "1"
    failing = root.findall(".//testcase[failure]")
    assert [(c.get("classname"), c.get("name")) for c in failing] == [
        ("specs/sources/relay.yaml", "SF-TYPE-DIVERGENCE")
    ]
    assert root.find(".//testcase[@classname='specs/sources/openai.yaml']") is not None


def test_github_annotations(project: Path) -> None:
    _, output = run("--format", "github")
    assert output.startswith(
        "::error file=specs/sources/relay.yaml,line=40,endLine=40,col=9,endColumn=16,"
        "title=SF-TYPE-DIVERGENCE::`seconds`"
    )


def test_markdown_and_output_file(project: Path) -> None:
    code, output = run("--format", "markdown", "-o", "lint.md")
    assert code == 1 and output == ""
    text = (project / "lint.md").read_text()
    assert "| 40:9 | [SF-TYPE-DIVERGENCE](docs/rules.md#sf-type-divergence) | error |" in text


def test_list_rules() -> None:
    code, output = run("--list-rules")
    assert code == 0 and "SF-SHAPE-DIVERGENCE" in output and "SF-OAS-INVALID" in output
