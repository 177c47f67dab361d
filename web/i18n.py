"""Chinese first, English second: Flask-Babel with a visible switch.

Messages are written in English in the code and templates; translations/zh/*.po hold the
Chinese, each message in one file only: vocabulary.po the words of web/vocabulary.py, core.po
the shared layout and the words several parts' pages use, and one file per part for its own
messages (producer, workflow, labels_admin, scan; tests/test_web_vocabulary.py lists which
sources each part has), and problems.po the core's messages (footprint's Messages, which
web/problems.py reads). At start-up they are merged and compiled into one catalogue under
FOOTPRINT_HOME (compiled files are not kept in git).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel, get_locale

from footprint.errors import Problem

from .problems import Shown, shown, text

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
SOURCE = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue without translating it: a text that goes out in
    English (a JSON error) and is translated where a page shows it (``_(message)``)."""
    return message


def problem_text(problem: Problem) -> str:
    """A core problem's message as a page shows it, in the reader's language."""
    return text(problem.message)


def localised(problems) -> list[Shown]:
    """``problems`` as a page shows them: each with its ``where`` (the path, for experts),
    ``place`` (as people say it; also ``human_where``) and ``message``, in the reader's
    language (web.problems)."""
    return [shown(p) for p in problems or []]


def compile_translations(target: Path) -> None:
    for language_dir in SOURCE.iterdir():
        if not language_dir.is_dir():
            continue
        merged = Catalog(locale=language_dir.name)
        for po in sorted((language_dir / "LC_MESSAGES").glob("*.po")):
            with open(po, "rb") as f:
                for message in read_po(f, locale=language_dir.name):
                    if message.id and message.string:
                        merged.add(message.id, message.string)
        out = target / language_dir.name / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with open(out / "messages.mo", "wb") as f:
            write_mo(f, merged)


def select_locale() -> str:
    return reader_language(request.cookies.get("lang"), request.accept_languages)


def reader_language(chosen: str | None, accepted) -> str:
    """The reader's language: the one they chose (the "lang" cookie the switch sets), else
    the best their browser accepts (a LanguageAccept), else Chinese."""
    if chosen in LANGUAGES:
        return chosen
    return accepted.best_match(LANGUAGES) or DEFAULT


def init_app(app: Flask) -> None:
    target = Path(app.config["FOOTPRINT_HOME"]) / "translations"
    compile_translations(target)
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT,
          default_translation_directories=str(target))

    @app.context_processor
    def languages():
        # a view may name the page itself (language_next in its context: that wins)
        return {"current_language": str(get_locale()), "languages": LANGUAGES,
                "language_next": page_to_come_back_to()}


def page_to_come_back_to() -> str:
    """Where the language switch leads back to: this page, when a GET fetches it again.
    After a POST (a refused form is shown at the form's URL, which answers a GET with 405)
    the page the form was on, as a same-origin Referer names it, else the home page; a view
    that knows its page better says so itself (language_next)."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.removesuffix("?")
    referrer, here = urlsplit(request.referrer or ""), urlsplit(request.host_url)
    if (referrer.scheme, referrer.netloc) == (here.scheme, here.netloc) and \
            referrer.path.startswith("/"):
        return urlunsplit(("", "", referrer.path, referrer.query, ""))
    return "/"
