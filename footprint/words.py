"""The words of the core's vocabularies, in English, once: the word a reader sees for each
code a Message names by a ``Word`` (footprint.errors): a stage, a status, a role, an
organisation kind, an electricity basis, a unit's dimension, a factor's confidence ...;
and how long ago something was (``age``). The web's vocabulary (web/vocabulary.py) shows
these words on pages, and the command line says a message's Words with them; each is
translated once, in vocabulary.po.

    WORDS["basis"]["location"]  ->  "location-based (grid average)"
    age(150)                    ->  "2 hours ago"
"""
from __future__ import annotations

import re

from .errors import Message, Word
from .workflow import ACTIONS

STAGES = {
    "raw_materials": Message("raw materials"), "production": Message("production"),
    "distribution": Message("distribution"), "packaging": Message("packaging"),
    "end_of_life": Message("end of life"),
}
# Of a submission (footprint.workflow.STATUSES) and of a label (footprint.usecases.labels).
STATUSES = {
    "draft": Message("draft"), "submitted": Message("submitted"),
    "verified": Message("verified"), "approved": Message("approved"),
    "returned": Message("returned"), "issued": Message("issued"),
    "superseded": Message("superseded"), "revoked": Message("revoked"),
    "expired": Message("expired"), "valid": Message("valid"),
}
ROLES = {"producer": Message("producer"), "verifier": Message("verifier"),
         "reviewer": Message("reviewer"), "admin": Message("administrator"),
         "bank": Message("bank officer"), "regulator": Message("regulator")}
ORG_KINDS = {"enterprise": Message("enterprise"), "accounting_body": Message("accounting body"),
             "platform": Message("platform"), "bank": Message("bank"),
             "regulator": Message("regulatory authority")}
# Audit events: a workflow action reads as the status it leads to ("submit": submitted).
EVENTS = {
    "create": Message("created"), "revise": Message("revised"),
    **{name: STATUSES[action.to_status] for name, action in ACTIONS.items()},
    "issue": Message("label issued"), "reissue": Message("label re-issued"),
    "revoke": Message("label revoked"),
}
# Greenhouse gases: the biosphere flows of the core's data (lca_data/biosphere_flows.json).
GASES = {"CO2_fossil": Message("carbon dioxide, fossil"),
         "CO2_biogenic": Message("carbon dioxide, biogenic"),
         "CH4_fossil": Message("methane, fossil"),
         "CH4_non_fossil": Message("methane, non-fossil"),
         "N2O": Message("dinitrogen monoxide"),
         "CO2e_aggregated": Message("greenhouse gases as CO2e, not split by gas")}
# Gases as chemists write them: symbols, the same in every language (by gas: 二氧化碳(化石) CO₂).
GAS_SYMBOLS = {"CO2_fossil": "CO₂", "CO2_biogenic": "CO₂", "CH4_fossil": "CH₄",
               "CH4_non_fossil": "CH₄", "N2O": "N₂O", "CO2e_aggregated": "CO₂e"}
# Electricity bases (footprint.model.ELECTRICITY_BASES) and system boundaries
# (footprint.bom.BOUNDARIES).
BASES = {"location": Message("location-based (grid average)"),
         "market": Message("market-based (residual mix)"),
         "lifecycle": Message("life-cycle (CO2e of generation)")}
BOUNDARIES = {"cradle_to_gate": Message("cradle to gate"),
              "cradle_to_grave": Message("cradle to grave")}
# Units (footprint.units.UNITS): symbols read the same in every language; words translate.
# Units shown as a word, or as a symbol other than their code; the rest are their own symbols.
UNITS = {"piece": Message("piece"), "kgkm": "kg·km", "tkm": "t·km", "m3": "m³", "m2": "m²"}
DIMENSIONS = {"energy": Message("energy"), "mass": Message("mass"),
              "transport": Message("transport"), "volume": Message("volume"),
              "area": Message("area"), "count": Message("count")}
# What a factor covers (footprint.model.GAS_SCOPES, classified by footprint.engine.scopes).
SCOPES = {"co2_only": Message("CO2 only"), "co2e": Message("CO2e by GWP100"),
          "lifecycle_co2e": Message("life-cycle CO2e with upstream")}
# Data quality (footprint.dataquality): the three PACT criteria a line is rated on, and the
# overall level a reader sees (LEVELS, the PEF's bands).
QUALITY_CRITERIA = {"technological": Message("technology"),
                    "geographical": Message("geography"), "temporal": Message("time")}
QUALITY_LEVELS = {"excellent": Message("excellent"), "very good": Message("very good"),
                  "good": Message("good"), "fair": Message("fair"), "poor": Message("poor")}
# A body's qualification on a day (footprint.usecases.qualifications: its standing).
STANDINGS = {"valid": Message("in force"), "expiring": Message("expires within 30 days"),
             "expired": Message("lapsed"), "not_yet": Message("not yet valid")}
# Credit supervision (footprint.supervision.TYPES, SEVERITIES): a finding's type and severity.
FINDING_TYPES = {"falsified_data": Message("falsified data"),
                 "unqualified_verification": Message("unqualified verification"),
                 "misleading_claim": Message("misleading claim"), "other": Message("other")}
SEVERITIES = {"general": Message("general"), "serious": Message("serious"),
              "severe": Message("severe")}
# How sure a dataset is of a factor: the level a source's confidence note begins with
# ("medium (secondary, MATERIALS.md M-12)"; footprint.engine.uncertainty scores it).
CONFIDENCE = {"high": Message("high confidence"), "medium": Message("medium confidence"),
              "low": Message("low confidence")}
# The same levels alone, under a heading that says they are a confidence (footprint data list)
CONFIDENCE_LEVELS = {"high": Message("high"), "medium": Message("medium"),
                     "low": Message("low")}
# What a dataset gives the engine (its manifest's "kind"; the public page of data sources).
DATASET_KINDS = {"processes": Message("emission factors of inputs"),
                 "electricity": Message("grid electricity factors"),
                 "method": Message("characterisation factors (GWP)"),
                 "parameters": Message("model parameters"),
                 "grading": Message("grade bands"),
                 "flows": Message("elementary flows"),
                 "carbon_contents": Message("carbon contents"),
                 "background": Message("life-cycle inventory database (imported)")}
# The vocabulary a Word names (Word("basis", "market")) -> its words.
WORDS = {"stage": STAGES, "status": STATUSES, "role": ROLES, "org_kind": ORG_KINDS,
         "basis": BASES, "boundary": BOUNDARIES, "unit": UNITS, "dimension": DIMENSIONS,
         "gas": GASES, "event": EVENTS, "finding_type": FINDING_TYPES,
         "severity": SEVERITIES, "scope": SCOPES, "quality_criterion": QUALITY_CRITERIA,
         "quality_level": QUALITY_LEVELS, "standing": STANDINGS, "confidence": CONFIDENCE,
         "confidence_level": CONFIDENCE_LEVELS, "dataset_kind": DATASET_KINDS}
# How long ago something was, from whole minutes (a peer's revocation list, last synced):
# the largest unit that fits, rounded down; under a minute, just now.
AGES = ((24 * 60, Message("%(n)s days ago")), (60, Message("%(n)s hours ago")),
        (1, Message("%(n)s minutes ago")))
JUST_NOW = Message("just now")
# The levels a confidence note names: the one it begins with ("low, unidentified source"),
# and one after each year ("2021 medium (provinces from one secondary copy); 2022 high").
CONFIDENCE_LEVEL = re.compile(rf"(?:^\s*|(?<=\b\d{{4}} ))({'|'.join(CONFIDENCE)})\b")


def word(vocabulary: str, code: str, translate=None) -> str:
    """The word for ``code`` of ``vocabulary``, through ``translate`` (a catalogue's Chinese,
    where it has it); a code the vocabulary does not know as it is."""
    found = WORDS.get(vocabulary, {}).get(code)
    if found is None:
        return code
    return (translate(str(found)) or str(found)) if translate and isinstance(found, Message) \
        else str(found)


def age(minutes: int) -> Message:
    """How long ago, from whole minutes: 3 -> "3 minutes ago", 150 -> "2 hours ago",
    0 -> "just now" (said in Chinese by vocabulary.po: 3 分钟前, 2 小时前, 刚刚)."""
    for size, said in AGES:
        if minutes >= size:
            return said.format(n=minutes // size)
    return JUST_NOW


def confidence_note(note: str) -> list | None:
    """A source's confidence note in parts, for the reader to say its levels in their own
    language: each level it names a Word of "confidence", the rest, the dataset's own note on
    how its figures were read, as it is written: "medium (secondary, MATERIALS.md M-12)" ->
    [Word("confidence", "medium"), " (secondary, MATERIALS.md M-12)"], said 可信度中
    (secondary, MATERIALS.md M-12); None for a note that names no level so ("as published")."""
    parts, at = [], 0
    for found in CONFIDENCE_LEVEL.finditer(note or ""):
        parts += [note[at:found.start(1)], Word("confidence", found.group(1))]
        at = found.end()
    return [part for part in (*parts, note[at:]) if part] if parts else None
