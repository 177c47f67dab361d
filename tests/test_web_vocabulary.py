"""One vocabulary and one formatting rule for the web: every word of the core has its Chinese
and English once (web/vocabulary.py, translated in vocabulary.po), every catalogue holds its
own part's messages and no message is translated twice, and the template filters show words,
numbers and times by the rule every page uses."""
from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask import render_template_string

from footprint.accreditation import STANDINGS
from footprint.bom import BOUNDARIES
from footprint.dataquality import CRITERIA, LEVELS
from footprint.model import ELECTRICITY_BASES, FLOW_ORIGINS, GAS_SCOPES, STAGES
from footprint.units import UNITS
from footprint.usecases.labels import STATUSES as LABEL_STATUSES
from footprint.usecases.scanning import VERDICTS
from footprint.workflow import ACTIONS, ORG_KINDS, ROLES, STATUSES
from web import vocabulary

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
CATALOGUES = WEB / "translations" / "zh" / "LC_MESSAGES"
CJK = re.compile(r"[\u4e00-\u9fff]")

# Audit events the use cases record besides the workflow actions (footprint/usecases:
# submissions create and revise, actions issue, issuing reissue, revoking revoke).
RECORDED_EVENTS = ("create", "revise", "issue", "reissue", "revoke")
GASES = [f["id"] for f in json.loads((ROOT / "lca_data" / "biosphere_flows.json")
                                     .read_text("utf-8"))["flows"]]

VOCABULARIES = {
    "STAGES": STAGES,
    "STATUSES": (*STATUSES, *LABEL_STATUSES),
    "ROLES": ROLES,
    "ORG_KINDS": ORG_KINDS,
    "EVENTS": (*ACTIONS, *RECORDED_EVENTS),
    "ACTION_DONE": tuple(ACTIONS),
    "VERDICTS": VERDICTS,
    "GASES": GASES,
    "ORIGINS": FLOW_ORIGINS,
    "BASES": ELECTRICITY_BASES,
    "SCOPES": GAS_SCOPES,
    "BOUNDARIES": BOUNDARIES,
    "DIMENSIONS": sorted({dimension for dimension, _factor in UNITS.values()}),
    "DATA_QUALITY_CRITERIA": CRITERIA,
    "DATA_QUALITY_LEVELS": [word for _bound, word in LEVELS],
    "STANDINGS": STANDINGS,
}

# Each part of the service and its sources; core.po holds the shared layout and the words
# several parts use, vocabulary.po the vocabulary, problems.po the core's messages (footprint's
# Messages, as web/problems.py and the API's body reader say them). A file named in one part
# does not belong to a folder another part names.
PARTS = {
    "vocabulary": ["vocabulary.py", "formatting.py", "../footprint/words.py"],
    "core": ["__init__.py", "auth.py", "tokens.py", "public.py", "security.py", "i18n.py",
             "templates/layout.html", "templates/error.html", "templates/_scopes.html",
             "templates/_evidence.html", "templates/_cited.html",
             "templates/_pages.html",
             "templates/_battery.html", "templates/auth",
             "templates/public"],
    "producer": ["producer.py", "bom", "templates/producer"],
    "workflow": ["submissions.py", "verifier.py", "reviewer.py", "admin.py",
                 "templates/submissions", "templates/verifier", "templates/reviewer",
                 "templates/admin"],
    "labels_admin": ["labels.py", "api", "templates/labels_admin"],
    "scan": ["scan.py", "templates/scan"],
    "peers": ["peers.py", "templates/peers"],
    "registry": ["registry.py", "templates/registry"],
    "supervision": ["supervision.py", "oversight.py", "templates/supervision",
                    "templates/oversight"],
    "accounts": ["accounts.py", "charts.py", "templates/accounts"],
    "banks": ["banks.py", "api/loans.py", "templates/banks"],
    "problems": ["problems.py", "forms.py", "api/body.py", "../footprint"],
    "cli": ["../cli"],
}
SHARED = ("core", "vocabulary")
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "N_": None,
            "Message": None, "say": None}


def in_language(app, language: str, text) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return str(text)


@pytest.mark.parametrize("table", sorted(VOCABULARIES))
def test_every_word_of_the_core_is_in_chinese_and_english(service, table):
    words = getattr(vocabulary, table)
    keys = VOCABULARIES[table]
    assert set(keys) == set(words), f"{table}: words for exactly the core's keys"
    for key in keys:
        english = in_language(service.app, "en", words[key])
        chinese = in_language(service.app, "zh", words[key])
        assert english and not CJK.search(english), (table, key, english)
        assert CJK.search(chinese) and chinese != english, (table, key, chinese)


def test_an_event_reads_as_the_status_it_leads_to(service):
    assert in_language(service.app, "zh", vocabulary.EVENTS["submit"]) == "已提交"
    assert in_language(service.app, "en", vocabulary.EVENTS["return"]) == "returned"
    assert vocabulary.word(vocabulary.EVENTS, "unheard-of") == "unheard-of"
    assert vocabulary.word(vocabulary.EVENTS, None) == ""


def _sources(part: str):
    named = {(WEB / e).resolve() for other in PARTS for e in PARTS[other] if other != part}
    for entry in PARTS[part]:
        path = (WEB / entry).resolve()
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in (".py", ".html")
                              and p not in named)
        else:
            yield path


def _messages(path: Path) -> set[str]:
    if path.suffix == ".py":
        found = extract_from_file("python", str(path), keywords=KEYWORDS)
    else:
        found = extract_from_file("jinja2", str(path),
                                  options={"extensions": "jinja2.ext.i18n"})
    return {m if isinstance(m, str) else m[0] for _line, m, _comments, _context in found}


def _catalogue(name: str) -> dict[str, str]:
    with open(CATALOGUES / f"{name}.po", "rb") as f:
        return {m.id: m.string for m in read_po(f, locale="zh") if m.id}


def test_every_web_source_belongs_to_a_part():
    listed = {path for part in PARTS for path in _sources(part)}
    sources = {p.resolve() for p in WEB.rglob("*") if p.suffix in (".py", ".html")}
    unlisted = sorted(str(p.relative_to(WEB)) for p in sources - listed
                      if _messages(p))  # a module without messages needs no part
    assert unlisted == []


def test_no_message_is_translated_in_two_catalogues():
    where = defaultdict(list)
    for po in sorted(CATALOGUES.glob("*.po")):
        for message in _catalogue(po.stem):
            where[message].append(po.stem)
    assert sorted(po.stem for po in CATALOGUES.glob("*.po")) == sorted(PARTS)
    twice = {message: names for message, names in where.items() if len(names) > 1}
    assert twice == {}


def command_texts() -> set[str]:
    """What the commands' help says: each command's text and each option's help."""
    from cli.helptext import help_text
    from cli.main import cli

    found, commands = set(), [cli]
    while commands:
        command = commands.pop()
        found |= {help_text(command)} - {""}
        found |= {p.help for p in command.params if getattr(p, "help", None)}
        if isinstance(command, click.Group):
            context = click.Context(command)
            commands += [command.get_command(context, n) for n in command.list_commands(context)]
    return found


def test_each_catalogue_holds_its_own_parts_messages():
    used = {part: set().union(*map(_messages, _sources(part))) for part in PARTS}
    used["cli"] |= command_texts()
    parts_using = defaultdict(set)
    for part, messages in used.items():
        for message in messages:
            parts_using[message].add(part)
    for part in PARTS:
        catalogue = _catalogue(part)
        # every message of the part is translated, here or in a shared catalogue
        reachable = {**catalogue, **{m: t for name in SHARED for m, t in
                                     _catalogue(name).items()}}
        missing = sorted(m for m in used[part] if not reachable.get(m))
        assert missing == [], part
        # and this catalogue translates only what its part uses ...
        unused = sorted(m for m in catalogue if m not in used[part] and part != "core")
        assert unused == [], part
        # ... and nothing that several parts share (that is core.po's) or that is the
        # vocabulary's
        if part not in SHARED:
            shared = sorted(m for m in catalogue if len(parts_using[m] - {"core"}) > 1
                            or m in used["vocabulary"])
            assert shared == [], part
    # a word of the vocabulary is defined once: pages show it through the vocabulary
    for part in PARTS:
        if part != "vocabulary":
            assert sorted(used[part] & used["vocabulary"]) == [], part
    core = _catalogue("core")
    unused = sorted(m for m in core if len(parts_using[m]) < 2 and "core" not in parts_using[m])
    assert unused == []


def test_placeholders_survive_translation():
    for po in CATALOGUES.glob("*.po"):
        for message, text in _catalogue(po.stem).items():
            assert sorted(re.findall(r"%\(\w+\)s", message)) == \
                sorted(re.findall(r"%\(\w+\)s", text)), (po.stem, message)


def test_the_filters_show_words_numbers_and_times(service):
    template = ("{{ 'production'|stage }}|{{ 'issued'|status }}|{{ 'admin'|role }}|"
                "{{ 'accounting_body'|org_kind }}|{{ 'reissue'|event }}|{{ 'N2O'|gas }}|"
                "{{ 'market'|basis }}|{{ 'cradle_to_grave'|boundary }}|{{ 'piece'|unit }}|"
                "{{ 'forged'|verdict }}|{{ 2061.8|footprint }}|{{ 1200.0|quantity }}|"
                "{{ 0.1234|percent }}|{{ '2026-03-01T20:30:00+00:00'|china_time }}|"
                "{{ '2026-03-01T20:30:00Z'|china_date }}|{{ co2e }} {{ declared|per_amount }}|"
                "{{ 12595|file_size }}|{{ category|named }}|{{ 0|leaf }}|{{ 12|leaf }}|"
                "{{ none|leaf }}|{{ 0|age }}|{{ 150|age }}|{{ 3000|age }}|"
                "{{ note|confidence_note }}|{{ by_year|confidence_note }}")
    context = {"declared": {"amount": 1.0, "unit": "piece"},
               "category": {"name_zh": "柑橘", "name_en": "oranges"},
               "note": "medium (secondary, MATERIALS.md abs_ice)",
               "by_year": "2021 medium; 2022 high"}  # a level a year
    with service.app.test_request_context(headers={"Accept-Language": "zh"}):
        chinese = render_template_string(template, **context).split("|")
    with service.app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_template_string(template, **context).split("|")
    # 2061.8 to 3 significant figures: 2,060; 20:30 UTC is 04:30 the next day in China;
    # 12595 bytes / 1024 = 12.3 KB
    assert chinese == ["生产", "已发放标签", "管理员", "第三方核算机构", "已重新签发标签",
                       "氧化亚氮", "基于市场（剩余组合）", "摇篮到坟墓", "件", "非真实标签",
                       "2,060", "1,200", "12.3 %", "2026-03-02 04:30（北京时间）",
                       "2026-03-02", "kg CO₂e 每 1 件", "12.3 KB", "柑橘",
                       "第 0 号叶子", "第 12 号叶子", "",  # the log's own index, from 0
                       # ages: 150 minutes are two whole hours, 3000 two whole days
                       "刚刚", "2 小时前", "2 天前",
                       # a confidence's level said, the dataset's note as written
                       "可信度中 (secondary, MATERIALS.md abs_ice)", "2021 可信度中; 2022 可信度高"]
    assert english == ["production", "issued", "administrator", "accounting body",
                       "label re-issued", "dinitrogen monoxide", "market-based (residual mix)",
                       "cradle to grave", "piece", "Not genuine", "2,060", "1,200", "12.3 %",
                       "2026-03-02 04:30 (UTC+8)", "2026-03-02", "kg CO₂e per 1 piece",
                       "12.3 KB", "oranges", "leaf 0", "leaf 12", "", "just now",
                       "2 hours ago", "2 days ago",
                       "medium confidence (secondary, MATERIALS.md abs_ice)",
                       "2021 medium confidence; 2022 high confidence"]


def test_a_template_speaks_the_language_of_each_reader(service):
    """A template is compiled once, in whichever language its first reader has; the words
    it shows must still follow each later reader's language."""
    with service.app.test_request_context(headers={"Accept-Language": "zh"}):
        template = service.app.jinja_env.from_string(
            "{{ 'fossil'|origin }}|{{ 'draft'|status }}|{{ {'amount': 1, 'unit': 'kg'}"
            "|per_amount }}|{{ '2026-03-01T08:00:00Z'|china_time }}")
        assert template.render() == "化石|草稿|每 1 kg|2026-03-01 16:00（北京时间）"
    with service.app.test_request_context(headers={"Accept-Language": "en"}):
        assert template.render() == "fossil|draft|per 1 kg|2026-03-01 16:00 (UTC+8)"


def _imported_web_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("web."):
            found.add(node.module.split(".")[1])
    return found


def test_the_public_scan_page_borrows_nothing_from_the_logged_in_pages():
    logged_in = {"submissions", "producer", "verifier", "reviewer", "admin", "auth"}
    assert _imported_web_modules(WEB / "scan.py") & logged_in == set()


MERGE_MARK = re.compile(r"^(<{7} |={7}$|>{7} )", re.M)


@pytest.mark.parametrize("catalogue", sorted(CATALOGUES.glob("*.po")), ids=lambda p: p.name)
def test_no_catalogue_holds_an_unresolved_merge(catalogue):
    """Babel reads a merge's conflict marks as comments or text and goes on, so a catalogue
    left half-merged would lose or garble messages without a word."""
    assert MERGE_MARK.findall(catalogue.read_text("utf-8")) == []
