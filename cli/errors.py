"""How a command fails. The exit codes, one rule for every command:

    0  done
    1  the work itself failed: data, a plugin, a label, the log, the database, a host
    2  the input is wrong, or names what is not there (a leaf, a token, a peer, a key):
       a bad option or file, NotFound; nothing was done

Every problem goes to stderr, in English, then in Chinese where the catalogue has the
message (cli.language): one line each for one problem."""
from __future__ import annotations

import logging
import sys
from functools import wraps
from typing import NoReturn

import click

from footprint import FootprintError, InvalidInput
from footprint.errors import FIELDS, Message, NotFound, Problem
from footprint.files import MACHINE_ERRORS, check_file, os_problem
from footprint.settings import footprint_home

from .language import chinese

FAILED = 1
BAD_INPUT = 2  # and a thing named that is not there


def fail_cleanly(command):
    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except FootprintError as exc:
            fail(exc)
    return wrapper


def fail(exc: FootprintError) -> NoReturn:
    """Say ``exc`` (in English, then in Chinese) and exit with its code."""
    if isinstance(exc, InvalidInput):
        for line in _refusal(exc):
            click.echo(line, err=True)
        sys.exit(BAD_INPUT)
    click.echo(f"error: {exc}", err=True)
    if _chinese(exc.message):
        click.echo(f"错误：{_chinese(exc.message)}", err=True)
    sys.exit(BAD_INPUT if isinstance(exc, NotFound) else FAILED)


def failed_on_a_path(exc: Exception) -> FootprintError | None:
    """An operating system's error on a path a command was given or writes (a name too
    long, no permission, a full disk), said as such; None for any other error. Exit 2 for
    the path's fault, 1 for the machine's."""
    if not isinstance(exc, OSError) or exc.filename is None:
        return None
    path, reason = os_problem(exc)
    if exc.errno in MACHINE_ERRORS:
        return FootprintError(Message("%(path)s: %(reason)s", path=path, reason=reason))
    return InvalidInput([Problem(path, reason)])


def failed_database(exc: Exception) -> FootprintError | None:
    """A database that failed under a command (not a database, damaged, locked, its disk
    full, its server unreachable), as the core says it; None for any other error (a
    statement refused is a bug: its traceback is for whoever mends it). The drivers are
    looked up, not imported: a command that never opened a database cannot have failed on
    one."""
    sqlite3, psycopg = sys.modules.get("sqlite3"), sys.modules.get("psycopg")
    of_the_database = (sqlite3 is not None and
                       type(exc) in (sqlite3.DatabaseError, sqlite3.OperationalError)) or \
        (psycopg is not None and isinstance(exc, psycopg.OperationalError))
    if not of_the_database:
        return None
    # the use cases only once a database failed: every command imports this module, and
    # `footprint verify` must start without the store
    from footprint.usecases.database import database_named, failed
    return FootprintError(failed(database_named(footprint_home()), exc))


def _chinese(message) -> str | None:
    """The Chinese of a message, None where the catalogue has none."""
    said = chinese(message)
    return said if said and said != str(message) else None


def _place(where) -> str:
    """A problem's place or a file's description in Chinese: 第 4 行 (lines[3].unit), 文件第 1
    行第 13 列, a field, an option or a file by the words the catalogue has for it
    (factor_year: 因子年份, --data-version: 数据版本, trust list: 信任列表), else as it is
    written."""
    if not isinstance(where, Message):  # a field by its words, as the forms name them
        if where in FIELDS:
            return _chinese(FIELDS[where]) or where
        words = where.removeprefix("--").replace("%", "%%").replace("_", " ").replace("-", " ")
        return _chinese(Message(words)) or where
    return _chinese(where) or where


def _refusal(exc: InvalidInput) -> list[str]:
    """The lines that refuse ``exc``'s input: its problems in English, then in Chinese when
    the catalogue says any of them in Chinese (the others as they are)."""
    head = f"{exc.source}: " if exc.source else ""
    problems = exc.problems
    english = [f"{p.human_where}: {p.message}" for p in problems]
    zh = [f"{_place(p.human_where)}：{_chinese(p.message) or p.message}" for p in problems]
    if len(problems) != 1:
        english = [f"{len(problems)} problem(s) in the input", *(f"  - {e}" for e in english)]
        zh = [f"输入有 {len(problems)} 个问题", *(f"  - {z}" for z in zh)]
    lines = [f"error: {head}{english[0]}", *english[1:]]
    if any(_chinese(p.message) for p in problems):
        head = f"{_place(exc.source)}：" if exc.source else ""
        lines += [f"错误：{head}{zh[0]}", *zh[1:]]
    return lines


def warn(message) -> None:
    """A warning as a command says it: one line on stderr in English, then one in Chinese
    where the catalogue has it."""
    click.echo(f"warning: {message}", err=True)
    if _chinese(message):
        click.echo(f"警告：{_chinese(message)}", err=True)


def failed(*messages) -> None:
    """The work failed (exit 1): ``messages`` on stderr in English, a line each, then in
    Chinese where the catalogue has them."""
    for message in messages:
        click.echo(f"error: {message}", err=True)
    for message in messages:
        if _chinese(message):
            click.echo(f"错误：{_chinese(message)}", err=True)
    sys.exit(FAILED)


def note(message) -> None:
    """A note on stderr, said as ``warn`` says a warning."""
    click.echo(f"note: {message}", err=True)
    if _chinese(message):
        click.echo(f"注意：{_chinese(message)}", err=True)


class _Warnings(logging.Handler):
    """The core's warnings (a Message as the record's message), said by ``warn``."""

    def emit(self, record: logging.LogRecord) -> None:
        warn(record.msg if isinstance(record.msg, Message) else record.getMessage())


def say_warnings_of(logger_name: str) -> None:
    """The warnings of the core's logger ``logger_name`` said as ``_Warnings`` says them, and
    nowhere else (not a second time by a handler above it, such as the plugins' trace)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(h, _Warnings) for h in logger.handlers):
        handler = _Warnings(logging.WARNING)
        logger.addHandler(handler)
        logger.propagate = False


def existing_file(ctx, param, value):
    """A click callback for a FILE argument or option the command reads: refused with exit 2,
    in English and Chinese, when nothing or a folder is there (click's own
    ``Path(exists=True)`` says it in English only)."""
    if value is None:
        return None
    where = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
    try:
        check_file(value, where)
    except InvalidInput as exc:
        for line in _refusal(exc):
            click.echo(line, err=True)
        sys.exit(BAD_INPUT)
    return value


def usage_exit(message) -> None:
    """A usage error found after the options were parsed (exit 2): ``message`` in English,
    then in Chinese where the catalogue has it."""
    click.echo(f"error: {message}", err=True)
    if _chinese(message):
        click.echo(f"错误：{_chinese(message)}", err=True)
    sys.exit(BAD_INPUT)
