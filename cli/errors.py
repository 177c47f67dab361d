"""How a command fails: bad input exits 2 with every problem on stderr; other known errors
(data, plugins, labels, the log) exit 1. What the core says is said in English, then in
Chinese where its catalogue has the message (cli.language): one line each for one problem."""
from __future__ import annotations

import logging
import sys
from functools import wraps

import click

from footprint import FootprintError, InvalidInput
from footprint.errors import Message

from .language import chinese


def fail_cleanly(command):
    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InvalidInput as exc:
            for line in _refusal(exc):
                click.echo(line, err=True)
            sys.exit(2)
        except FootprintError as exc:
            click.echo(f"error: {exc}", err=True)
            if _chinese(exc.message):
                click.echo(f"错误：{_chinese(exc.message)}", err=True)
            sys.exit(1)
    return wrapper


def _chinese(message) -> str | None:
    """The Chinese of a message, None where the catalogue has none."""
    said = chinese(message)
    return said if said and said != str(message) else None


def _place(problem) -> str:
    """Where ``problem`` is, in Chinese: 第 4 行 (lines[3].unit), 文件第 1 行第 13 列, a field or
    an option by the words the catalogue has for it (factor_year: 因子年份, method: 特征化方法),
    else as the path says it."""
    where = problem.human_where
    if not isinstance(where, Message):  # a field by its words, as the forms name it
        where = Message(where.replace("%", "%%").replace("_", " "))
    return _chinese(where) or problem.human_where


def _refusal(exc: InvalidInput) -> list[str]:
    """The lines that refuse ``exc``'s input: its problems in English, then in Chinese when
    the catalogue says any of them in Chinese (the others as they are)."""
    head = f"{exc.source}: " if exc.source else ""
    problems = exc.problems
    english = [f"{p.human_where}: {p.message}" for p in problems]
    zh = [f"{_place(p)}：{_chinese(p.message) or p.message}" for p in problems]
    if len(problems) != 1:
        english = [f"{len(problems)} problem(s) in the input", *(f"  - {e}" for e in english)]
        zh = [f"输入有 {len(problems)} 个问题", *(f"  - {z}" for z in zh)]
    lines = [f"error: {head}{english[0]}", *english[1:]]
    if any(_chinese(p.message) for p in problems):
        lines += [f"错误：{head}{zh[0]}", *zh[1:]]
    return lines


class _Warnings(logging.Handler):
    """The core's warnings (a Message as the record's message) as a command says them: one
    line on stderr in English, then one in Chinese where the catalogue has it."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg if isinstance(record.msg, Message) else record.getMessage()
        click.echo(f"warning: {message}", err=True)
        if _chinese(message):
            click.echo(f"警告：{_chinese(message)}", err=True)


def say_warnings_of(logger_name: str) -> None:
    """The warnings of the core's logger ``logger_name`` said as ``_Warnings`` says them, and
    nowhere else (not a second time by a handler above it, such as the plugins' trace)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(h, _Warnings) for h in logger.handlers):
        handler = _Warnings(logging.WARNING)
        logger.addHandler(handler)
        logger.propagate = False


def usage_exit(message: str, zh: str | None = None) -> None:
    """A usage error found after the options were parsed (exit 2), and in Chinese (``zh``)."""
    click.echo(f"error: {message}", err=True)
    if zh:
        click.echo(f"错误：{zh}", err=True)
    sys.exit(2)
