"""OAI Overlay 1.0/1.1: validate overlays, apply them exactly per the specification (purely, fast),
and generate the overlay that turns one document into another (``compare``)."""

from specforge.overlay.compare import compare, default_describe
from specforge.overlay.engine import ApplyResult, OverlayError, apply
from specforge.overlay.paths import JSONPathError, compile_query
from specforge.overlay.validate import check_overlay, validate_overlay
from specforge.overlay.variant import load_variant

__all__ = [
    "ApplyResult",
    "JSONPathError",
    "OverlayError",
    "apply",
    "check_overlay",
    "compare",
    "compile_query",
    "default_describe",
    "load_variant",
    "validate_overlay",
]
