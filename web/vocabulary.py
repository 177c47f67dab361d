"""The words of the service: every stage, status, role, organisation kind, gas, workflow event,
unit and a finding's type and severity the core names in English, as the reader sees it
(Chinese by default).

Each word is defined once, keyed by the core's own vocabulary (footprint.model.STAGES,
footprint.workflow.STATUSES, ROLES, ORG_KINDS and ACTIONS, footprint.usecases.labels.STATUSES,
footprint.usecases.scanning.VERDICTS, ...): here, or in footprint.words for the vocabularies
the core's messages name (stages, statuses, roles, organisation kinds, bases, dimensions ...,
which the command line says too); and translated once, in
translations/zh/LC_MESSAGES/vocabulary.po. Pages use the template filters web.formatting
registers (``{{ row.stage|stage }}``, ``{{ submission.status|status }}``); views and flashes
use ``word(TABLE, key)``. A key the table does not know is shown as it is.
"""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from footprint import resultnames, words
from footprint.errors import Message


def _words(table: dict) -> dict:
    """A vocabulary of the core (footprint.words) in the reader's language."""
    return {code: _l(str(word)) if isinstance(word, Message) else word
            for code, word in table.items()}


STAGES = _words(words.STAGES)
# Of a submission (footprint.workflow.STATUSES) and of a label (footprint.usecases.labels).
STATUSES = _words(words.STATUSES)
ROLES = _words(words.ROLES)
ORG_KINDS = _words(words.ORG_KINDS)
# Audit events: a workflow action reads as the status it leads to ("submit": submitted).
EVENTS = _words(words.EVENTS)
# What the user is told once a workflow action is done.
ACTION_DONE = {"submit": _l("Submitted for verification."), "verify": _l("Marked as verified."),
               "approve": _l("Approved."), "return": _l("Returned with your reasons.")}
# What a scan found (footprint.usecases.scanning.VERDICTS), as the scan page's headline.
VERDICTS = {
    "valid": _l("Valid"), "superseded": _l("Superseded"), "revoked": _l("Revoked"),
    "expired": _l("Expired"), "remote": _l("Genuine signature"),
    "unknown-issuer": _l("Unknown issuer"), "forged": _l("Not genuine"),
    "unrecorded": _l("Not in this platform's records"),
}
# Greenhouse gases: the biosphere flows of the core's data (lca_data/biosphere_flows.json).
GASES = _words(words.GASES)
# Where a gas comes from (footprint.model.FLOW_ORIGINS).
ORIGINS = {"fossil": _l("fossil"), "biogenic": _l("biogenic"),
           "other": _l("other gases (N2O and others)"), "unspecified": _l("not split by gas")}
# Electricity bases (footprint.model.ELECTRICITY_BASES) and system boundaries
# (footprint.bom.BOUNDARIES).
BASES = _words(words.BASES)
BOUNDARIES = _words(words.BOUNDARIES)
SCOPES = _words(words.SCOPES)

# What an accounting body confirms before it verifies (footprint.usecases.actions.
# VERIFY_CHECKLIST).
CHECKLIST = {
    "activity_data": _l("The activity data (amounts and parameters) match the evidence"),
    "factors": _l("The emission factors suit the inputs, the region and the year"),
    "boundary": _l("The system boundary is complete: no input or stage is left out"),
}
# How sure a dataset is of a factor: the first word of a source's confidence.
CONFIDENCE = _words(words.CONFIDENCE)
DATASET_KINDS = _words(words.DATASET_KINDS)
DATA_QUALITY_CRITERIA = _words(words.QUALITY_CRITERIA)
DATA_QUALITY_LEVELS = _words(words.QUALITY_LEVELS)
# Credit supervision (footprint.supervision.TYPES, SEVERITIES): a finding's type and severity.
FINDING_TYPES = _words(words.FINDING_TYPES)
STANDINGS = _words(words.STANDINGS)  # a body's qualification on a day
SEVERITIES = _words(words.SEVERITIES)
GAS_SYMBOLS = words.GAS_SYMBOLS  # the same in every language

# Units (footprint.units.UNITS): symbols read the same in every language; words translate.
# Units shown as a word, or as a symbol other than their code; the rest are their own symbols.
UNITS = _words(words.UNITS)
DIMENSIONS = _words(words.DIMENSIONS)
CO2E = "kg CO₂e"  # the unit of every footprint: a symbol, the same in Chinese and English
# Beside a grade whose footprint lies below the range its bands are built on (the preview,
# the submission page): the grade stands, and may flatter a BOM that leaves inputs out.
BELOW_PUBLISHED_RANGE = _l("below the published range: inputs may be missing")
PER_AMOUNT = _l("per %(amount)s %(unit)s")  # after CO2E: "kg CO₂e per 1 kg"
TIME_IN_CHINA = _l("%(time)s (UTC+8)")  # a time shown in China time, the zone named


# (language, table, key) -> the word: the catalogues do not change while the service runs
_WORDS: dict[tuple, str] = {}


def word(table: dict, key) -> str:
    """``key`` in the reader's language; a key the table does not know as it is."""
    if key in table:
        said = (language(), id(table), key)
        if said not in _WORDS:
            _WORDS[said] = str(table[key])
        return _WORDS[said]
    return "" if key is None else str(key)


def language() -> str:
    return str(get_locale() or "zh")


def in_language(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """The text in the page's language, else the other one."""
    lang = lang or language()
    return (zh or en or "") if lang == "zh" else (en or zh or "")


def named(record, field: str = "name") -> str:
    """A record's ``<field>_zh`` or ``<field>_en`` (a mapping or an object), in the page's
    language: ``{{ category|named }}``, ``{{ band|named("label") }}``. A record that keeps
    its English as the bare ``<field>`` is read so too (a grade's ``rationale``, English
    since before it had a Chinese one)."""
    return resultnames.named(record, language(), field)
