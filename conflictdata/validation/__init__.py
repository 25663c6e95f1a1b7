"""Validation: structural checks from the Table Schemas, semantic rules, one Report."""

from .engine import validate, validate_package

__all__ = ["validate", "validate_package"]
