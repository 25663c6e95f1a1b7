"""Helpers shared by the command modules: exit codes and turning library errors into one line."""

from __future__ import annotations

import functools

import click

from ..errors import ConflictDataError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def fail(message: str, code: int = EXIT_UNREADABLE):
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return str(exc)


def _one_line(*catch: type[BaseException]):
    """A decorator that turns the ``catch`` exceptions into one line on stderr and exit 2."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except catch as exc:
                fail(_describe(exc))

        return wrapper

    return decorate


# A ConflictDataError (or a bad file) is one line and exit 2.
friendly = _one_line(ConflictDataError, OSError)
# A bad argument the library refuses with ValueError is a usage error: one line, exit 2.
usage_errors = _one_line(ValueError)


def progress_option(func):
    """Add ``--quiet`` and show the progress of long work on a terminal while the command runs.

    The display goes to stderr and only when stderr is a terminal (see :mod:`conflictdata.feedback`),
    so pipes, CI logs and ``--format json`` output are never touched; ``--quiet`` switches it off.
    """
    from ..feedback import shown

    @functools.wraps(func)
    def wrapper(*args, quiet: bool = False, **kwargs):
        with shown(False if quiet else None):
            return func(*args, **kwargs)

    return click.option("--quiet", "-q", is_flag=True, help="Show no progress, even on a terminal.")(wrapper)
