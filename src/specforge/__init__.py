"""specforge: ingest, merge, lint, mock and conformance-check OpenAI-compatible video APIs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("specforge")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+src"

__all__ = ["__version__"]
