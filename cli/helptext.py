"""A command's help, and click's refusals of a command line, in the chosen language.

click writes the help (usage, the command's text, its options and subcommands) through a
HelpFormatter; ``SpokenFormatter`` says each piece in Chinese from the catalogue (cli.po)
when Chinese is chosen, and wraps Chinese by the columns a terminal gives it (two a
character; a line may break between any two characters, never before 。，). English is
click's own. ``speak`` gives every command (the built-ins, their subcommands, a plugin's)
that formatter and the ``--lang`` option; ``also_in_chinese`` adds the Chinese line to a
refused command line (an unknown option, a missing argument, a value not among the
choices), as every other refusal has one (cli.errors)."""
from __future__ import annotations

import inspect
import re

import click

from footprint.errors import Message

from .language import chosen, language_option, said, translated

# characters a line may break before or after anywhere (CJK ideographs, kana, full-width
# forms and punctuation), and the punctuation a line must not start with
WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f"
NOT_AT_LINE_START = set("，。、；：！？）》」』】”,.;:!?)]")
NOT_AT_LINE_END = set("（《「『【“([")
TOKENS = re.compile(rf"[{WIDE}]|[^\s{WIDE}]+|\s+")
# click's own words in a help text (its headings, its --help and --version options)
CLICK_WORDS = {"Usage:": Message("Usage:"), "Options": Message("Options"),
               "Commands": Message("Commands"),
               "Positional arguments": Message("Positional arguments"),
               "Show this message and exit.": Message("Show this message and exit."),
               "Show the version and exit.": Message("Show the version and exit.")}
EXTRAS = {"default": Message("default: %(value)s"), "env var": Message("env var: %(value)s"),
          "required": Message("required")}


def columns(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if re.match(f"[{WIDE}]", c) else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` (one paragraph) in lines of at most ``width`` columns: Latin words kept
    whole, Chinese broken between characters."""
    lines, line = [], ""
    for token in TOKENS.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        if line and columns(line + token) > width and token[0] not in NOT_AT_LINE_START:
            opened = ""  # an opening bracket goes down with what it opens
            while line and line[-1] in NOT_AT_LINE_END:
                line, opened = line[:-1], line[-1] + opened
            if line.strip():
                lines.append(line.rstrip())
            line = opened
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _joined(lines: list[str]) -> str:
    """A paragraph's lines as one text: Chinese joined as it is written, Latin by a space."""
    text = ""
    for line in (line.strip() for line in lines):
        wide_join = text and re.match(f"[{WIDE}]", text[-1]) and re.match(f"[{WIDE}]", line[0])
        text += line if not text or wide_join else " " + line
    return text


def first_sentence(text: str) -> str:
    """A command's short help in the commands list, from its Chinese help: to the first 。"""
    paragraph = _joined(text.split("\n\n")[0].splitlines())
    return re.split(r"(?<=。)", paragraph)[0].removesuffix("。")


def help_text(command: click.Command) -> str:
    """A command's help as click shows it, and so as the catalogue holds it."""
    return inspect.cleandoc(command.help or "").partition("\f")[0]


class SpokenFormatter(click.HelpFormatter):
    """click's help formatter, in Chinese when Chinese is chosen (English as click writes
    it); a text the catalogue has no Chinese for stays as it is."""

    def __init__(self, ctx: click.Context, **kwargs):
        super().__init__(**kwargs)
        self.ctx = ctx
        self.chinese = chosen() == "zh"

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if self.chinese:
            prefix = said(CLICK_WORDS["Usage:"], "zh")  # 用法：footprint ...
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if not self.chinese:
            return super().write_heading(heading)
        word = said(CLICK_WORDS[heading], "zh") if heading in CLICK_WORDS else heading
        self.write(f"{'':>{self.current_indent}}{word}：\n")

    def write_text(self, text: str) -> None:
        chinese = translated(text) if self.chinese else None
        if chinese is None:
            return super().write_text(text)
        indent = " " * self.current_indent
        paragraphs = []
        for paragraph in chinese.split("\n\n"):
            lines = paragraph.splitlines()
            if lines and lines[0].strip() == "\b":  # a block click would not rewrap either
                paragraphs.append("\n".join(indent + line for line in lines[1:]))
                continue
            own = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
            prefix = indent + " " * own
            paragraphs.append("\n".join(
                prefix + line for line in wrap(_joined(lines), self.width - len(prefix))))
        self.write("\n\n".join(paragraphs) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        if not self.chinese:
            return super().write_dl(rows, col_max, col_spacing)
        command = self.ctx.command  # a group's list names its subcommands: said by their help
        subcommands = set(command.list_commands(self.ctx)) \
            if isinstance(command, click.Group) else set()
        rows = [(term, self._definition(term, text, term in subcommands)) for term, text in rows]
        first = min(max((columns(t) for t, _ in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first - 2, 10)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if columns(term) <= first - col_spacing:
                self.write(" " * (first - columns(term)))
            else:
                self.write("\n" + " " * (first + self.current_indent))
            lines = wrap(text, text_width) or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first + self.current_indent) + line + "\n")

    def _definition(self, term: str, text: str, subcommand: bool) -> str:
        """The Chinese of an option's help (with its [default: ...]) or of a subcommand's
        short help (the first sentence of its Chinese help)."""
        if subcommand:
            sub = self.ctx.command.get_command(self.ctx, term)
            chinese = sub and translated(help_text(sub))
            return first_sentence(chinese) if chinese else text
        help_, extras = text, ""
        found = re.fullmatch(r"(.*?)\s*\[([^\[\]]*)\]", text, re.S)
        if found:
            help_, extras = found.groups()
        if help_ in CLICK_WORDS:
            help_ = said(CLICK_WORDS[help_], "zh")
        said_help = (translated(help_) or help_) if help_ else ""
        if not extras:
            return said_help
        said_extras = "；".join(_extra(e) for e in extras.split("; "))
        return f"{said_help}  [{said_extras}]" if said_help else f"[{said_extras}]"


def _extra(extra: str) -> str:
    """One item of click's [...] after an option's help, in Chinese."""
    for english in ("default", "env var"):
        if extra.startswith(f"{english}: "):
            return said(EXTRAS[english].format(value=extra.removeprefix(f"{english}: ")), "zh")
    return said(EXTRAS["required"], "zh") if extra == "required" else extra


class SpokenContext(click.Context):
    def make_formatter(self) -> click.HelpFormatter:
        return SpokenFormatter(self, width=self.terminal_width,
                               max_width=self.max_content_width)


def speak(command: click.Command) -> click.Command:
    """``command`` and its subcommands with help in the chosen language and a ``--lang``
    option of their own (``footprint calc BOM --lang en``)."""
    if getattr(command, "_speaks", False):
        return command
    command._speaks = True
    command.context_class = SpokenContext
    if not any("--lang" in getattr(p, "opts", ()) for p in command.params):
        language_option(command)
    for sub in getattr(command, "commands", {}).values():
        speak(sub)
    return command


def also_in_chinese(exc: click.ClickException) -> click.ClickException:
    """``exc``, which click shows in English, shown in Chinese too (one more line)."""
    chinese = _chinese(exc)
    if chinese is None or getattr(exc, "_chinese", False):
        return exc
    english = exc.show

    def show(file=None):
        english(file)
        click.echo(f"错误：{chinese}", err=file is None, file=file)
    exc.show = show  # this exception only: click calls show() when it refuses a line
    exc._chinese = True
    return exc


def _hint(exc) -> str:
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        hint = param.get_error_hint(exc.ctx)
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    hint = str(hint or "").replace("'", "")
    return hint.replace(" (env var: ", "（环境变量 ").replace(")", "）")


PATH = r"""(?P<quote>['"])(?P<path>.*)(?P=quote)"""  # a file name as repr() quotes it


def _path(found) -> dict:
    return {"path": found["path"]}


def _value_problem(message: str) -> str:
    """click's sentence on a value (its types' refusals) in Chinese where it is one of
    these; as it is otherwise."""
    patterns = (
        (r"'(.*)' is not a valid (?:integer|float)(?: range)?\.",
         Message('"%(value)s" is not a number'), lambda m: {"value": m[1]}),
        (r"(.*) is not in the range (.*)\.", Message("%(value)s is not in the range %(range)s"),
         lambda m: {"value": m[1], "range": m[2]}),
        (r"'(.*)' is not (?:one of )?('.*')\.", Message('"%(value)s" is not one of %(choices)s'),
         lambda m: {"value": m[1], "choices": m[2].replace("'", "").split(", ")}),
        # click.Path's refusals ({name} {filename!r} ...: the name is file, directory or path)
        (rf"File {PATH} does not exist\.", Message("no such file: %(path)s"), _path),
        (rf"(?:Directory|Path) {PATH} does not exist\.",
         Message("no such file or folder: %(path)s"), _path),
        (rf"\w+ {PATH} is a directory\.", Message("%(path)s is a directory: name a file"), _path),
        (rf"\w+ {PATH} is a file\.", Message("%(path)s is a file: name a folder"), _path),
        (rf"\w+ {PATH} is not readable\.",
         Message("%(path)s cannot be read: no permission"), _path),
        (rf"\w+ {PATH} is not writable\.",
         Message("%(path)s cannot be written: no permission"), _path),
    )
    for pattern, template, params in patterns:
        found = re.fullmatch(pattern, message, re.S)
        if found:
            return said(template.format(**params(found)), "zh")
    return translated(message) or message


def _chinese(exc: click.ClickException) -> str | None:
    """The Chinese of click's refusal, None for one it does not describe."""
    if isinstance(exc, click.NoSuchOption) or type(exc).__name__ == "NoSuchCommand":
        line = said(Message("no such option %(name)s", name=exc.option_name)
                    if isinstance(exc, click.NoSuchOption)
                    else Message("no such command %(name)s", name=exc.command_name), "zh")
        if exc.possibilities:
            line += said(Message("; did you mean %(guesses)s?",
                                 guesses=" / ".join(exc.possibilities)), "zh")
        return line
    if isinstance(exc, click.MissingParameter):
        missing = Message("missing option %(name)s") if isinstance(exc.param, click.Option) \
            else Message("missing argument %(name)s")
        return said(missing.format(name=_hint(exc)), "zh")
    if isinstance(exc, click.BadParameter):
        return said(Message("invalid value for %(name)s: %(problem)s", name=_hint(exc),
                            problem=_value_problem(exc.message)), "zh")
    found = re.fullmatch(r"Option '(.*)' requires an argument\.", exc.message)
    if found:
        return said(Message("option %(name)s requires a value", name=found[1]), "zh")
    found = re.fullmatch(r"Got unexpected extra arguments? \((.*)\)", exc.message)
    if found:
        return said(Message("unexpected extra argument(s): %(args)s", args=found[1]), "zh")
    found = re.fullmatch(r"No such command '(.*)'\.", exc.message)  # click before 8.4
    if found:
        return said(Message("no such command %(name)s", name=found[1]), "zh")
    chinese = translated(exc.message)
    return chinese
