"""Every check the validator and ``conflictdata add`` run: the catalogue, with the rules in it.

The catalogue itself is :mod:`conflictdata.catalogue`; this module makes sure the semantic
rules have registered there before it is read.
"""

from __future__ import annotations

from ..catalogue import KINDS, REGISTRY, Check

__all__ = ["Check", "all_checks"]


def all_checks() -> list[Check]:
    """Every registered check, by kind (package, structural, semantic, submission): what
    ``conflictdata rules`` lists.

    Examples
    --------
    >>> codes = [c.code for c in all_checks()]
    >>> codes.index("blank-row") < codes.index("bounds-order") < codes.index("yaml-syntax")
    True
    """
    from . import rules  # noqa: F401  (the rules register themselves when defined)

    return sorted(REGISTRY.values(), key=lambda c: KINDS.index(c.kind))
