"""Validation: structural checks from the Table Schemas, semantic rules, one Report."""

from .engine import validate, validate_and_type, validate_package

__all__ = ["validate", "validate_and_type", "validate_package"]
