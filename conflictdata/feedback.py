"""What a user sees while long work runs: progress on a terminal, sizes a person reads.

The library never prints. Long work (validating, building, importing, downloading) reports
its steps through :func:`task`; nothing is shown unless a caller has switched a display on
with :func:`shown`, which the command line does when stderr is a terminal and ``--quiet`` is
not given. So a script, a notebook, CI logs and pipes see nothing, and a person at a terminal
sees what is being done.

Examples
--------
Without a display, a task is silent and costs next to nothing:

>>> with task("validate", total=3) as step:
...     for _ in range(3):
...         step.advance()
>>> human_size(201_676_873)
'201.7 MB'
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

# The rich Progress of the innermost :func:`shown`, or None (silent).
_display: ContextVar[Any] = ContextVar("conflictdata_progress", default=None)


class Task:
    """One step of long work: advance it as parts finish; describe what is being done now."""

    def __init__(self, progress: Any = None, task_id: Any = None):
        self._progress, self._id = progress, task_id

    def advance(self, amount: float = 1) -> None:
        """Count ``amount`` more parts done."""
        if self._progress is not None:
            self._progress.advance(self._id, amount)

    def update(self, *, description: str | None = None, total: float | None = None,
               completed: float | None = None) -> None:
        """Change what the step shows: its description, its total or how much is done."""
        if self._progress is not None:
            fields = {"description": description, "total": total, "completed": completed}
            self._progress.update(self._id, **{k: v for k, v in fields.items() if v is not None})


@contextlib.contextmanager
def task(description: str, total: float | None = None) -> Iterator[Task]:
    """A step of long work, shown while it runs when a display is on (else silent).

    The display is live only while some step runs: it starts with the outermost step and is
    cleared when that step ends, so what a command prints after its work (a report, JSON) is
    never drawn over or mixed with the bars.

    Parameters
    ----------
    description : str
        What is being done, as a person reads it: ``"validate munitions"``.
    total : float, optional
        How many parts the step has (rows, files, bytes); without it the display shows that
        work is going on, not how much is left.
    """
    progress = _display.get()
    if progress is None:
        yield Task()
        return
    if not progress.tasks:
        progress.start()
    task_id = progress.add_task(description, total=total)
    progress.refresh()  # every step is drawn at least once, however short it is
    try:
        yield Task(progress, task_id)
    finally:
        progress.remove_task(task_id)
        if not progress.tasks:
            progress.stop()  # transient: the bars are erased, the cursor is back where it was


@contextlib.contextmanager
def shown(enabled: bool | None = None, *, console: Any = None) -> Iterator[bool]:
    """Switch the progress display on for the block, on stderr.

    Parameters
    ----------
    enabled : bool, optional
        ``True`` to switch it on, ``False`` to switch it off for the block (``--quiet``), even
        inside a display switched on around it; default: on when stderr is a terminal or a
        display is already on around the block.
    console : rich.console.Console, optional
        Where to draw (default: stderr); a test gives a console writing to a buffer.

    Yields
    ------
    bool
        Whether the display is on.

    Examples
    --------
    >>> with shown(False) as on:
    ...     on, showing()
    (False, False)
    """
    if enabled is False:
        token = _display.set(None)
        try:
            yield False
        finally:
            _display.reset(token)
        return
    if _display.get() is not None:  # a display around this block goes on
        yield True
        return
    if enabled is None and not _is_terminal(sys.stderr):
        yield False
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

    # transient: the bars vanish when the work ends, leaving only the command's own output.
    # stdout is routed above the bars only when it is a terminal too: rich would otherwise
    # send what a command prints to stdout (JSON for a pipe or a file) to the display, on stderr.
    # TaskProgressColumn shows no percentage for a step without a total (not a false "0%").
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                        TimeElapsedColumn(), console=console or Console(stderr=True), transient=True,
                        redirect_stdout=_is_terminal(sys.stdout))
    token = _display.set(progress)
    try:
        yield True
    finally:
        _display.reset(token)
        progress.stop()  # a step left running (an exception inside it) still clears the display


def showing() -> bool:
    """Whether a progress display is on (so a caller may pass it on, to pooch say)."""
    return _display.get() is not None


def human_size(nbytes: int) -> str:
    """A byte count as a person reads it, in decimal units (as ``ls -h --si`` and rich do).

    >>> human_size(512), human_size(7_400_000), human_size(1_000_000_000)
    ('512 bytes', '7.4 MB', '1.0 GB')
    """
    from rich.filesize import decimal

    return decimal(nbytes)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False
