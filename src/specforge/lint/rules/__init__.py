"""Every built-in rule; importing this package registers them (in this order) in ``REGISTRY``."""

from specforge.lint.rules import examples, operations, schemas, structure, video  # noqa: F401 - registration

__all__ = ["examples", "operations", "schemas", "structure", "video"]
