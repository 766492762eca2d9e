"""The default nightly runner: one provider -> ``specforge.check.run_check`` -> reports in the
provider's folder. Kept apart so the runner loop, store and summary never import the check engine
(tests inject fake runners; the fork server preloads this module once for all workers)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from specforge.history.providers import Provider

#: the preload module that fills hypothesis' caches; last, so it also sees the modules before it
WARM_MODULE = "specforge.check.warm"

#: imported once by the nightly's fork server (set_forkserver_preload), so workers start warm. Besides the packages,
#: the modules a check run imports on first use (schemathesis loads its OpenAPI adapter, phase
#: executors and error-feedback parsers lazily): measured, they are ~260 modules and 0.2 CPU-s that
#: every forked worker would otherwise import again.
NIGHTLY_PRELOAD = (
    "specforge.check",
    "specforge.check.runner",
    "specforge.check.engine",
    "specforge.check.lifecycle",
    "specforge.overlay",
    "schemathesis",
    "schemathesis.specs.openapi.schemas",
    "schemathesis.engine.run.analysis",
    "schemathesis.engine.run.probes",
    "schemathesis.engine.run.unit",
    "schemathesis.engine.run.stateful",
    "schemathesis.core.error_feedback.pipeline",
    "hypothesis",
    "hypothesis.stateful",
    "requests",
    "werkzeug",
    "pyrate_limiter",
    WARM_MODULE,
)

#: nightly runs are gates: the same inputs must generate the same requests every night, or a
#: randomly found failure shows up as a "regression" one night and a "fix" the next
NIGHTLY_SEED = 20240601


def check_option_names() -> set[str] | None:
    """Names a provider's ``check = {...}`` table may set (CheckOptions fields the nightly does
    not set itself); None when the check package is unavailable."""
    try:
        from specforge.check.model import CheckOptions
    except ImportError:
        return None
    reserved = {
        "base_url",
        "spec",
        "variant",
        "spec_data",
        "config",
        "token_env",
        "budget",
        "progress",
        "run_id",
    }
    return {f.name for f in dataclasses.fields(CheckOptions)} - reserved


def check_options_schema() -> dict[str, Any] | None:
    """JSON Schema of a provider's ``check = {...}`` table (the check package's own option
    schemas, for the names :func:`check_option_names` allows); None without the package."""
    names = check_option_names()
    if names is None:
        return None
    from specforge.check.model import options_schema

    return options_schema(names)


def _check_api() -> tuple[Any, Any, Any]:
    """(CheckOptions, run_check, ReportWriter): the check API and render's report writer."""
    import specforge.check as check
    from specforge.render.reports import ReportWriter

    run_check = getattr(check, "run_check", None)
    if run_check is None:
        from specforge.check.runner import run_check
    return check.CheckOptions, run_check, ReportWriter


def check_provider(provider: Provider) -> Any:
    """Run the conformance check for ``provider`` and write its reports (json, md, html, junit,
    cassette) into ``provider.report_dir``. Endpoint faults are in the result, never raised."""
    from specforge.core.config import load_config

    if provider.token_env and not os.environ.get(provider.token_env):
        # a missing CI secret is not the provider's fault: without this, every auth-protected
        # check would fail and show up as a wall of "regressions"
        return {
            "verdict": "error",
            "errors": [
                f"environment variable {provider.token_env} (token_env of provider `{provider.name}`) "
                "is not set; nothing was sent"
            ],
        }
    check_options, run_check, report_writer = _check_api()
    config = load_config(provider.project) if provider.project else load_config()
    # TOML arrays arrive as lists; CheckOptions (frozen) takes tuples
    extra = {k: tuple(v) if isinstance(v, list) else v for k, v in provider.check.items()}
    options: dict[str, Any] = {"seed": NIGHTLY_SEED, **extra}
    if provider.token_env:
        options["token_env"] = provider.token_env
    report_dir = provider.report_dir
    writer = None
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        writer = report_writer(report_dir, per_run=False)
        options["handlers"] = (writer,)
    result = run_check(
        check_options(
            base_url=provider.base_url,
            spec=provider.spec,
            variant=None if provider.spec else provider.variant,
            config=config,
            budget=provider.budget,
            **options,
        ),
        report_dir=report_dir,
    )
    if writer is not None and writer.error is not None:
        raise writer.error  # the runner records it as this provider's error, as for any other
    return result


def redact_record(provider: Provider, record: Any) -> Any:
    """``record`` (a RunRecord: what goes into the history database and the summary) with the
    provider's token and URL credentials masked, crash messages and tracebacks included."""
    from specforge.check.model import DEFAULT_TOKEN_ENV
    from specforge.check.redact import Redactor

    token = os.environ.get(provider.token_env or DEFAULT_TOKEN_ENV) or None
    return Redactor.for_endpoint(token, provider.base_url).data(record)


def project_source_hash(provider: Provider) -> str:
    """Fingerprint of what the provider's spec was made from: the vendor doc page and source
    fragment of its variant (all variants' for the canonical spec, or the spec file itself).
    When it changes between runs, the history reports spec drift."""
    if provider.spec is not None:
        return _file_hash(str(provider.spec))
    return _variant_hash(str(provider.project) if provider.project else None, provider.variant)


def _variant_hash(project: str | None, variant: str | None) -> str:
    from specforge.core.config import load_config

    config = load_config(project) if project else load_config()
    names = [variant] if variant else sorted(config.variants)
    digest = hashlib.sha256()
    for name in names:
        if name not in config.variants:
            continue
        info = config.variants[name]
        for path in (info.doc, info.source):
            if path is not None and path.is_file():
                digest.update(f"{name}:{path.name}:".encode())
                digest.update(bytes.fromhex(_file_hash(str(path))))
    return digest.hexdigest() if names else ""


def project_spec(provider: Provider) -> tuple[str, str] | None:
    """(file name, text) of the spec ``provider`` is checked against, as the history records it
    per run: its ``spec`` file, its variant's source (the vendor's lines; normalized it equals the
    canonical plus the variant's overlay) or the canonical spec. Drift between two runs is then
    diffed into classified changes."""
    from specforge.core.config import load_config

    config = load_config(provider.project) if provider.project else load_config()
    if provider.spec is not None:
        path = provider.spec
    elif provider.variant and provider.variant in config.variants:
        path = config.variants[provider.variant].source
    else:
        path = config.canonical
    if not path.is_file():
        return None
    from specforge.check.model import DEFAULT_TOKEN_ENV
    from specforge.check.redact import Redactor

    token = os.environ.get(provider.token_env or DEFAULT_TOKEN_ENV) or None
    text = Redactor.for_endpoint(token, provider.base_url).text(path.read_text(encoding="utf-8"))
    return config.display(path), text


@cache
def _file_hash_cached(path: str, mtime: float, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _file_hash(path: str) -> str:
    stat = os.stat(path)
    return _file_hash_cached(path, stat.st_mtime, stat.st_size)
