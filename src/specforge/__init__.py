"""specforge: ingest, merge, lint, mock and conformance-check OpenAI-compatible video APIs."""

# Single source of the version (pyproject reads it): no importlib.metadata on every CLI start.
__version__ = "0.1.0"

__all__ = ["__version__"]
