from __future__ import annotations

from pathlib import Path

import pytest

from specforge.core import InputError, load_config
from specforge.core.config import CONFIG_NAME, find_config, suggest

GOOD = """\
[project]
sources = "specs/src"

[variants.openai]
source = "specs/sources/openai.yaml"
vendor = "api.openai.com"
extract = "openapi"

[variants."hingnet-sora"]
doc = "specs/docs/000.txt"

[lint]
fail-on = "warning"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / CONFIG_NAME
    path.write_text(text)
    return path


def test_paths_are_resolved_against_the_files_folder(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.root == tmp_path.resolve() and config.file == (tmp_path / CONFIG_NAME).resolve()
    assert config.sources == tmp_path.resolve() / "specs/src"
    assert config.canonical == tmp_path.resolve() / "specs/canonical.yaml"  # default
    openai = config.variant("openai")
    assert openai.source == tmp_path.resolve() / "specs/sources/openai.yaml" and openai.doc is None
    sora = config.variant("hingnet-sora")
    assert sora.source == config.sources / "hingnet-sora.yaml"  # default: <sources>/<name>.yaml
    assert sora.doc == tmp_path.resolve() / "specs/docs/000.txt"
    assert list(config.variants) == ["openai", "hingnet-sora"]


def test_sections_are_checked_against_allowed_keys(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.section("lint", {"fail-on", "rules"}) == {"fail-on": "warning"}
    assert config.section("mock", {"port"}) == {}
    with pytest.raises(InputError) as info:
        config.section("lint", {"fail_on", "rules"})
    assert str(info.value) == (
        f"{tmp_path / CONFIG_NAME}:13: unknown key `fail-on` in [lint] (did you mean `fail_on`?) "
        "(fix: allowed keys: fail_on, rules)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[project]\nsource = 'x'\n", ":2: unknown key `source` in [project] (did you mean `sources`?)"),
        ("[lnt]\nx = 1\n", ":1: unknown key `lnt` in [top level] (did you mean `lint`?)"),
        (
            "[variants.openai]\nvendr = 'x'\n",
            ":2: unknown key `vendr` in [variants.openai] (did you mean `vendor`?)",
        ),
        ("[variants.openai]\nzzz = 'x'\n", ":2: unknown key `zzz` in [variants.openai] (fix: allowed keys:"),
        ("lint = 3\n", ":1: [lint] must be a table, not int"),
        ("[variants]\nopenai = 'x'\n", ": [variants.openai] must be a table, not str"),
        ("[project\n", ":1:9: invalid TOML: Expected ']' at the end of a table declaration"),
    ],
)
def test_bad_config_messages(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        load_config(write(tmp_path, text))
    assert str(info.value).startswith(str(tmp_path / CONFIG_NAME)) and message in str(info.value)
    assert str(info.value).endswith(")")


def test_unknown_variant_suggests_the_closest(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(InputError) as info:
        config.variant("hingnet-sor")
    assert "unknown variant `hingnet-sor` (did you mean `hingnet-sora`?)" in str(info.value)
    assert str(info.value).endswith("(fix: known variants: openai, hingnet-sora)")
    with pytest.raises(InputError, match="unknown variant `zzz` \\(fix: known variants"):
        config.variant("zzz")


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.file is None and config.root == tmp_path.resolve()
    assert config.sources == tmp_path.resolve() / "specs/sources"
    assert config.reports == tmp_path.resolve() / "reports"
    assert config.variants == {} and config.section("lint", {"x"}) == {}
    with pytest.raises(InputError, match="none configured"):
        config.variant("openai")


def test_nearest_file_is_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, GOOD)
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert find_config() == (tmp_path / CONFIG_NAME).resolve()
    assert load_config().root == tmp_path.resolve()


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_project_config_is_valid(project_root: Path) -> None:
    config = load_config(project_root / CONFIG_NAME)
    assert set(config.variants) == {"openai", "hingnet-sora", "hingnet-veo", "newapi", "xiexus", "aiid"}


def test_suggest() -> None:
    assert suggest("budgte", ["budget", "seed"]) == " (did you mean `budget`?)"
    assert suggest("zzz", ["budget"]) == ""


def test_display_is_root_relative_inside_the_project_and_as_given_outside(tmp_path) -> None:
    from specforge.core.config import load_config

    (tmp_path / "specforge.toml").write_text("")
    config = load_config(tmp_path / "specforge.toml")
    assert config.display(tmp_path / "specs" / "canonical.yaml") == "specs/canonical.yaml"
    assert (
        config.display(tmp_path.parent / "elsewhere.yaml") == (tmp_path.parent / "elsewhere.yaml").as_posix()
    )
