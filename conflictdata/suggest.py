"""Close matches for a name nobody has: the one "did you mean" of every message that offers one.

A submission's unknown key (``lanched``) and its unknown id (an actor, a place, an event or a
munition type the package does not have) are both answered with the closest names that
exist, by :func:`difflib.get_close_matches` (a ratio of at least 0.6 by default).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6


def close_matches(value: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` names of ``choices`` closest to ``value``, best first (none below :data:`CUTOFF`).

    Examples
    --------
    >>> close_matches("ukrainian-airforce", ["ukrainian-air-force", "ukraine", "russia"])
    ['ukrainian-air-force']
    >>> close_matches("zzz", ["ukraine"])
    []
    """
    return difflib.get_close_matches(value, list(choices), n=n, cutoff=CUTOFF)


def did_you_mean(value: str, choices: Iterable[str], n: int = 1) -> str:
    """``"did you mean 'x'?"`` (or ``'x' or 'y'`` for ``n`` > 1), or ``""`` when nothing is close.

    Examples
    --------
    >>> did_you_mean("lanched", ["launched", "intercepted"])
    "did you mean 'launched'?"
    >>> did_you_mean("iskander", ["iskander-m", "iskander-k", "kalibr"], n=2)
    "did you mean 'iskander-m' or 'iskander-k'?"
    >>> did_you_mean("zzz", ["launched"])
    ''
    """
    found = close_matches(value, choices, n)
    if not found:
        return ""
    quoted = [repr(f) for f in found]
    words = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"did you mean {words}?"
