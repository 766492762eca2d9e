"""Foundation every other package stands on: documents with positions, diagnostics, errors,
configuration and deterministic output. Depends only on the standard library and ruamel.yaml."""

from specforge.core.config import Config, VariantConfig, load_config
from specforge.core.diagnostics import Diagnostic, Location, Severity
from specforge.core.document import DEFAULT_LIMITS, Document, Limits, load_document, load_mapping, load_text
from specforge.core.errors import EndpointError, InputError, SpecforgeError
from specforge.core.output import dump_for, dump_json, dump_yaml, write_atomic

__all__ = [
    "DEFAULT_LIMITS",
    "Config",
    "Diagnostic",
    "Document",
    "EndpointError",
    "InputError",
    "Limits",
    "Location",
    "Severity",
    "SpecforgeError",
    "VariantConfig",
    "dump_for",
    "dump_json",
    "dump_yaml",
    "load_config",
    "load_document",
    "load_mapping",
    "load_text",
    "write_atomic",
]
