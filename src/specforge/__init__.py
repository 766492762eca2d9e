"""specforge: ingest, merge, lint, mock and conformance-check OpenAI-compatible video APIs."""

# Single source of the version (pyproject reads it): no importlib.metadata on every CLI start.
__version__ = "0.1.0"

#: response header the built-in mock sets on every answer (value: the variant it serves); the
#: one positive sign `specforge check` accepts for an unlimited default create budget
MOCK_HEADER = "x-specforge-mock"

__all__ = ["MOCK_HEADER", "__version__"]
