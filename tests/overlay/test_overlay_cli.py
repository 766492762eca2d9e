"""`specforge overlay validate|apply|compare` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from specforge.cli import cli
from specforge.core import load_document

CONFORMANCE = Path(__file__).resolve().parent.parent / "fixtures" / "overlay-conformance"
SANDBOX = CONFORMANCE / "compliant-sets" / "replace-servers-for-sandbox"


def run(*args: str) -> object:
    return CliRunner().invoke(cli, ["overlay", *args], catch_exceptions=False)


def test_help_has_examples() -> None:
    from specforge.cli.overlay import overlay

    assert {"validate", "apply"} <= set(overlay.commands)
    for sub in ([], *([name] for name in overlay.commands)):
        result = CliRunner().invoke(cli, ["overlay", *sub, "--help"])
        assert result.exit_code == 0 and "Example" in result.output, sub


def test_validate_pass_and_fail_with_positions() -> None:
    ok = run("validate", str(CONFORMANCE / "tests/v1.1/pass/copy-path-item-example.yaml"))
    assert ok.exit_code == 0 and "valid Overlay 1.1 (1 action(s))" in ok.output
    bad_path = CONFORMANCE / "tests/v1.0/fail/action-remove-invalid-type.yaml"
    bad = run("validate", str(bad_path))
    assert bad.exit_code == 1
    assert f"{bad_path}:7:13: error: 'maybe' is not of type 'boolean' [overlay-schema]" in bad.output


def test_validate_strict_fails_on_warnings() -> None:
    path = str(CONFORMANCE / "tests/v1.0/pass/actions-update-with-remove.yaml")
    assert run("validate", path).exit_code == 0
    assert run("validate", "--strict", path).exit_code == 1


def test_apply_to_stdout_and_json_file(tmp_path: Path) -> None:
    result = run("apply", str(SANDBOX / "openapi.yaml"), str(SANDBOX / "overlay.yaml"))
    assert result.exit_code == 0
    assert "actions[0] $.servers -> 1 match(es)" in result.stderr
    expected = load_document(SANDBOX / "output.yaml").data
    from specforge.core import load_text

    assert load_text(result.stdout, "out.yaml").data == expected
    out = tmp_path / "out.json"
    assert (
        run("apply", str(SANDBOX / "openapi.yaml"), str(SANDBOX / "overlay.yaml"), "-o", str(out)).exit_code
        == 0
    )
    assert json.loads(out.read_text()) == expected
    assert list(json.loads(out.read_text())) == list(expected)  # key order preserved


def test_apply_no_match_warns_and_strict_fails(tmp_path: Path) -> None:
    overlay = tmp_path / "o.yaml"
    overlay.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.nope\n    update: {a: 1}\n"
    )
    spec = SANDBOX / "openapi.yaml"
    lenient = run("apply", str(spec), str(overlay), "-o", str(tmp_path / "x.yaml"))
    assert lenient.exit_code == 0 and f"{overlay}:4:13: warning:" in lenient.stderr
    strict = run("apply", "--strict", str(spec), str(overlay), "-o", str(tmp_path / "y.yaml"))
    assert strict.exit_code == 1 and "not written" in strict.stderr
    assert not (tmp_path / "y.yaml").exists()


def test_apply_invalid_jsonpath_is_an_input_error(tmp_path: Path) -> None:
    overlay = tmp_path / "o.yaml"
    overlay.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.a[?@.x ==]\n    remove: true\n"
    )
    result = CliRunner().invoke(cli, ["overlay", "apply", str(SANDBOX / "openapi.yaml"), str(overlay)])
    assert result.exit_code == 2
    assert "specforge: error:" in result.stderr
    assert f"{overlay}:4:24: error: actions[0].target: invalid JSONPath" in result.stderr
    assert "Traceback" not in result.output


def test_apply_with_extends(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text((SANDBOX / "openapi.yaml").read_text())
    overlay = tmp_path / "o.yaml"
    overlay.write_text((SANDBOX / "overlay.yaml").read_text() + "extends: ./api.yaml\n")
    result = run("apply", str(overlay), "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 0, result.output
    assert load_document(tmp_path / "out.yaml").data == load_document(SANDBOX / "output.yaml").data


def test_apply_several_overlays_in_order(tmp_path: Path) -> None:
    first = tmp_path / "1.yaml"
    first.write_text(
        "overlay: 1.0.0\ninfo: {title: a, version: '1'}\nactions:\n  - target: $.info\n    update: {x-step: 1}\n"
    )
    second = tmp_path / "2.yaml"
    second.write_text(
        "overlay: 1.1.0\ninfo: {title: b, version: '1'}\nactions:\n  - target: $.info['x-step']\n    update: 2\n"
    )
    out = tmp_path / "out.yaml"
    result = run("apply", str(SANDBOX / "openapi.yaml"), str(first), str(second), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert load_document(out).data["info"]["x-step"] == 2
