"""Helpers shared by the command modules: exit codes and turning library errors into one line."""

from __future__ import annotations

import functools

import click

from ..errors import ConflictDataError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def fail(message: str, code: int = EXIT_UNREADABLE):
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def friendly(func):
    """Turn a ConflictDataError (or a bad file) into a one-line message and exit 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ConflictDataError as exc:
            fail(str(exc))
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))

    return wrapper
