"""Every built-in rule; importing this package registers them (in this order) in ``REGISTRY``."""

from specforge.lint.rules import (  # noqa: F401 - registration
    cross,
    examples,
    operations,
    pages,
    provenance,
    schemas,
    structure,
    video,
)

__all__ = ["cross", "examples", "operations", "pages", "provenance", "schemas", "structure", "video"]
