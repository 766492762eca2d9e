"""Every built-in rule; importing this package registers them (in this order) in ``REGISTRY``."""

from specforge.lint.rules import cross, examples, operations, provenance, schemas, structure, video  # noqa: F401 - registration

__all__ = ["cross", "examples", "operations", "provenance", "schemas", "structure", "video"]
