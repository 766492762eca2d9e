"""Vendor doc page → OpenAPI source with provenance (``info.x-specforge-source``): a whole OpenAPI
file, a fenced ```yaml/```json block, an OpenAPI JSON object embedded in page text or YAML printed
as plain text, plus every request/response example the page shows — or, when the page carries no
OpenAPI (``extract = "auto"``), a draft built from its own evidence (``draft``). Depends on
``core``; reviewed per-variant patches are applied with ``overlay``."""

from specforge.ingest.api import (
    PROVENANCE_KEY,
    Explanation,
    IngestedSource,
    IngestOutcome,
    check_hand_source,
    explain_page,
    extract_source,
    ingest_doc,
    ingest_project,
    ingest_variants,
    sha256_hex,
)
from specforge.ingest.examples import PageExample, attach_examples, find_operation, page_examples
from specforge.ingest.extract import MODES, Extracted, extract_openapi
from specforge.ingest.validate import validation_errors, validation_summary

__all__ = [
    "MODES",
    "Explanation",
    "PROVENANCE_KEY",
    "Extracted",
    "IngestOutcome",
    "IngestedSource",
    "PageExample",
    "attach_examples",
    "check_hand_source",
    "explain_page",
    "extract_openapi",
    "extract_source",
    "find_operation",
    "ingest_doc",
    "ingest_project",
    "ingest_variants",
    "page_examples",
    "sha256_hex",
    "validation_errors",
    "validation_summary",
]
