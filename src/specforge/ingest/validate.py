"""openapi-spec-validator as one line of provenance: "valid", or the validator's first message.
A vendor's invalid document is kept verbatim; lint reports the recorded problem later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specforge.openapi.validation import RefGuard, openapi_validator

VALID = "valid"


def validation_errors(document: Any, *, limit: int = 20, root: Path | None = None) -> list[tuple[str, str]]:
    """(JSON path, message) for the first ``limit`` validator errors, in the validator's order.
    ``$ref`` targets are read only inside ``root`` (none without it): never a fetch."""

    if not isinstance(document, dict):
        return [("$", "an OpenAPI document must be a mapping")]
    version = str(document.get("openapi", ""))
    if not version:
        return [("$", "no `openapi` version field (Swagger 2.0 is not supported)")]
    if not version.startswith(("3.0", "3.1")):
        return [("$.openapi", f"unsupported OpenAPI version {version!r} (expected 3.0.x or 3.1.x)")]
    errors: list[tuple[str, str]] = []
    guard = RefGuard(root)
    try:
        for error in openapi_validator(document, version, guard).iter_errors():
            path = getattr(error, "json_path", None) or "$" + "".join(f"[{p!r}]" for p in error.path)
            errors.append((str(path), str(error.message).splitlines()[0]))
            if len(errors) >= limit:
                break
    except Exception as exc:  # noqa: BLE001  # the validator can crash on odd input; that is a finding
        if guard.refused:
            errors.append(
                ("$", f"$ref `{guard.refused[0]}` refused: it escapes the project folder or is remote")
            )
        else:
            errors.append(("$", f"validator failed: {type(exc).__name__}: {exc}"))
    return errors


def validation_summary(document: Any, *, root: Path | None = None) -> str:
    """``"valid"`` or ``"invalid: <path>: <message>"`` (plus how many more errors)."""
    errors = validation_errors(document, root=root)
    if not errors:
        return VALID
    path, message = errors[0]
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"invalid: {path}: {message}{more}"
