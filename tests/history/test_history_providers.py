from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specforge.core.errors import InputError
from specforge.history.providers import ProvidersFile, load_providers, parse_shard

VARIANTS = ["openai", "hingnet-sora", "hingnet-veo", "newapi", "xiexus", "aiid"]

GOOD = """\
[nightly]
concurrency = 3
trend = 5
unreachable_exit = 0

[defaults]
budget = 1
timeout = 120
tags = ["all"]

[[providers]]
name = "acme"
base_url = "https://api.acme.example/"
variant = "openai"
token_env = "ACME_API_KEY"
tags = ["tier1", "sora"]

[[providers]]
name = "relay-2"
base_url = "http://127.0.0.1:8080"
variant = "aiid"
budget = 0
enabled = false

[[providers]]
name = "canon"
base_url = "https://canon.example"
timeout = 30.5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "providers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_providers(write(tmp_path, text), variants=VARIANTS)
    return info.value


def test_good_file_with_defaults_and_settings(tmp_path: Path) -> None:
    loaded = load_providers(write(tmp_path, GOOD), variants=VARIANTS)
    acme, relay, canon = loaded.providers
    assert acme.base_url == "https://api.acme.example"  # trailing slash dropped
    assert acme.budget == 1 and acme.timeout == 120 and acme.token_env == "ACME_API_KEY"
    assert acme.tags == ("tier1", "sora")  # own tags replace the default
    assert relay.budget == 0 and relay.enabled is False
    assert canon.variant is None and canon.timeout == 30.5 and canon.tags == ("all",)
    assert (
        loaded.settings.concurrency == 3
        and loaded.settings.trend == 5
        and loaded.settings.unreachable_exit == 0
    )
    assert [p.name for p in loaded.select()] == ["acme", "canon"]  # disabled one skipped, sorted
    assert [p.name for p in loaded.select(only=["sora"])] == ["acme"]
    assert len(loaded.sha256) == 64


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        (
            '[[providers]]\nname = "a"\nbase_url = "https://a"\nbudgte = 1\n',
            4,
            ["unknown key `budgte`", "did you mean `budget`"],
        ),
        (
            '[[providers]]\nname = "a"\nbase_url = "https://a"\n\n[[providers]]\nname = "b"\nbase_url = "https://b"\nvariant = "opena"\n',
            8,
            ["unknown variant `opena`", "did you mean `openai`"],
        ),
        ('[[providers]]\nbase_url = "https://a"\n', 1, ["has no `name`"]),
        ('[[providers]]\nname = "a"\nbase_url = "ftp://a"\n', 3, ["`base_url` must be an http(s) URL"]),
        ('[[providers]]\nname = "a"\n', 1, ["has no `base_url`"]),
        (
            '[[providers]]\nname = "a b"\nbase_url = "https://a"\n',
            2,
            ["`name` must be a provider name", '`name = "a b"`'],
        ),
        (
            '[[providers]]\nname = "a"\nbase_url = "https://a"\n[[providers]]\nname = "a"\nbase_url = "https://b"\n',
            5,
            ["duplicate provider name `a`"],
        ),
        (
            '[[providers]]\nname = "a"\nbase_url = "https://a"\nbudget = -1\n',
            4,
            ["`budget` must be an integer >= 0"],
        ),
        (
            '[[providers]]\nname = "a"\nbase_url = "https://a"\ntimeout = 0\n',
            4,
            ["`timeout` must be a number of seconds > 0"],
        ),
        ('[[providers]]\nname = "a"\nbase_url = "https://a"\ntags = "x"\n', 4, ["`tags` must be a list"]),
        (
            '[[providers]]\nname = "a"\nbase_url = "https://a"\nenabled = "yes"\n',
            4,
            ["`enabled` must be true or false"],
        ),
        (
            '[[providers]]\nname = "a"\nbase_url = "https://a"\ntoken_env = "sk-live-123"\n',
            4,
            ["must be an environment variable name"],
        ),
        ('[provider]\nname = "a"\n', 1, ["unknown key `provider`", "did you mean `providers`"]),
        (
            '[nightly]\nconcurency = 2\n[[providers]]\nname = "a"\nbase_url = "https://a"\n',
            2,
            ["did you mean `concurrency`"],
        ),
        (
            '[nightly]\nunreachable_exit = 1\n[[providers]]\nname = "a"\nbase_url = "https://a"\n',
            2,
            ["must be 0 or 3"],
        ),
        (
            '[defaults]\nbase_url = "https://a"\n[[providers]]\nname = "a"\n',
            2,
            ["unknown key `base_url` in [defaults]"],
        ),
        (
            '[[providers]]\nname = "a"\nbase_url = "https://a"\nspec = "missing.yaml"\n',
            4,
            ["spec file 'missing.yaml' not found"],
        ),
        ("[[providers]]\nname = 'a'\nbase_url = https://a\n", 3, ["invalid TOML"]),
        ("[nightly]\ntrend = 3\n", None, ["no providers defined"]),
    ],
)
def test_errors_name_the_line_and_suggest(
    tmp_path: Path, text: str, line: int | None, fragments: list[str]
) -> None:
    error = load_error(tmp_path, text)
    message = str(error)
    for fragment in fragments:
        assert fragment in message, message
    assert error.file == str(tmp_path / "providers.toml")
    assert error.line == line, message


def test_missing_file_has_a_hint(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="providers file not found") as info:
        load_providers(tmp_path / "nope.toml")
    assert info.value.hint and "docs/nightly.md" in info.value.hint


def test_variants_from_a_callable_and_unchecked_without_project(tmp_path: Path) -> None:
    path = write(tmp_path, '[[providers]]\nname = "a"\nbase_url = "https://a"\nvariant = "whatever"\n')
    assert load_providers(path).providers[0].variant == "whatever"  # no project: not checked
    seen = []

    def variants(project: Path | None) -> list[str]:
        seen.append(project)
        return ["openai"]

    with pytest.raises(InputError, match="unknown variant `whatever`"):
        load_providers(path, variants=variants, project=tmp_path / "specforge.toml")
    assert seen == [tmp_path / "specforge.toml"]


def test_shipped_example_is_valid(project_root: Path) -> None:
    loaded = load_providers(project_root / "docs" / "examples" / "providers.toml", variants=VARIANTS)
    assert len(loaded.providers) >= 3


@pytest.mark.parametrize(("value", "expected"), [("1/1", (1, 1)), ("2/4", (2, 4)), (" 3 / 3 ", (3, 3))])
def test_parse_shard(value: str, expected: tuple[int, int]) -> None:
    assert parse_shard(value) == expected


@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3"])
def test_parse_shard_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_shard(value)


@given(
    names=st.sets(st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), max_size=30), count=st.integers(1, 7)
)
def test_shards_partition_the_providers(names: set[str], count: int) -> None:
    from specforge.history.providers import NightlySettings, Provider

    providers = ProvidersFile(
        path=Path("p.toml"),
        providers=tuple(Provider(name=n, base_url="https://x") for n in names),
        settings=NightlySettings(),
        sha256="",
    )
    shares = [[p.name for p in providers.select(shard=(i, count))] for i in range(1, count + 1)]
    flat = [n for share in shares for n in share]
    assert sorted(flat) == sorted(names)  # every provider in exactly one shard
    assert max(map(len, shares)) - min(map(len, shares)) <= 1  # balanced


def test_example_workflow_shards_and_merges(project_root: Path) -> None:
    from specforge.core import load_document

    workflow = load_document(project_root / "docs" / "examples" / "nightly.yml").data
    assert workflow["on"]["schedule"][0]["cron"]
    shard = workflow["jobs"]["shard"]
    assert shard["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    run = " ".join(step.get("run", "") for step in shard["steps"])
    assert "specforge nightly" in run and "--shard ${{ matrix.shard }}/4" in run and "--batch" in run
    summary = " ".join(step.get("run", "") for step in workflow["jobs"]["summary"]["steps"])
    assert "specforge history merge" in summary and "specforge history report" in summary
    assert workflow["jobs"]["summary"]["needs"] == "shard"


def test_check_options_are_validated_against_check_options(tmp_path: Path) -> None:
    pytest.importorskip("specforge.check")
    good = (
        '[[providers]]\nname = "a"\nbase_url = "https://a"\ncheck = { max_examples = 3, phases = ["auth"] }\n'
    )
    assert load_providers(write(tmp_path, good)).providers[0].check == {"max_examples": 3, "phases": ["auth"]}
    bad = '[[providers]]\nname = "a"\nbase_url = "https://a"\ncheck = { max_exampels = 3 }\n'
    error = load_error(tmp_path, bad)
    assert "unknown key `max_exampels` in [providers[0].check]" in str(
        error
    ) and "did you mean `max_examples`" in str(error)
    assert error.line == 4
    reserved = '[[providers]]\nname = "a"\nbase_url = "https://a"\ncheck = { base_url = "x" }\n'
    assert "unknown key `base_url` in [providers[0].check]" in str(load_error(tmp_path, reserved))
