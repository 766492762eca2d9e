"""Vendor doc page → OpenAPI source with provenance (``info.x-specforge-source``): a whole OpenAPI
file, a fenced ```yaml/```json block, or an OpenAPI JSON object embedded in page text, plus every
request/response example the page shows. Depends only on ``core``."""

from specforge.ingest.api import (
    PROVENANCE_KEY,
    IngestedSource,
    IngestOutcome,
    check_hand_source,
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
    "PROVENANCE_KEY",
    "Extracted",
    "IngestOutcome",
    "IngestedSource",
    "PageExample",
    "attach_examples",
    "check_hand_source",
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
