"""How a command fails: bad input exits 2 with every problem on stderr; other known errors
(data, plugins, labels, the log) exit 1."""
from __future__ import annotations

import sys
from functools import wraps

import click

from footprint import FootprintError, InvalidInput


def fail_cleanly(command):
    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InvalidInput as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except FootprintError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    return wrapper


def usage_exit(message: str) -> None:
    """A usage error found after the options were parsed (exit 2)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)
