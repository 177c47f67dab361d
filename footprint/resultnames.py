"""What a result's reader is shown for the codes it holds, in both languages: the processes,
regions and gases of its lines by their registered names, the datasets it cites by their
publisher and title, each factor's confidence level. The submission page (web/worksheet.py)
and ``footprint calc`` (cli/render.py) name a result by these rules, so a line reads the same
on both: 电网电力，山东 · 基于位置, not ``electricity``; 期刊 Frontiers in Energy Research, not
the whole citation.

The names are the registry's, taken once per result (``ResultNames.of``: only what it cites)
and readable without the registry (``to_data`` / ``from_data``): a stored result that
``footprint calc`` prints again is named without loading the plugins
(footprint.engine.resultcache keeps them beside it).

    names(zh, en)                            {"name_zh", "name_en"}, each the other's fallback
    named(record, language, field="name")    a record's <field>_zh or <field>_en
    ResultNames.of(result, registry)         the names a result needs
    publisher(source, entry)                 the publisher a line shows
    cited_datasets(result, result_names)     the manifest entries (names) of the cited datasets
    named_note(note, result_names)           a stored note naming datasets by their titles
    confidence_levels(result)                high, medium or low of each factor and the method
    confidence_in_chinese(note, entry)       a source's confidence note as its manifest says it
    factor(record, result_names)             a factor as a line shows it
    input_name(entry, factor)                (kind, name) of what a line brings in
    method_name(name, language)              a method's name without its English gloss in zh
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

LEVELS = r"(high|medium|low)"
# what a source's manifest entry says to a reader: its title, publisher, its factors' notes
# and its confidence note in Chinese
ENTRY_FIELDS = ("title", "title_zh", "publisher", "publisher_zh", "notes_zh", "confidence",
                "confidence_zh")


def names(zh: str | None, en: str | None) -> dict:
    return {"name_zh": zh or en or "", "name_en": en or zh or ""}


def named(record, language: str, field_name: str = "name") -> str:
    """A record's ``<field>_zh`` or ``<field>_en`` (a mapping or an object) in ``language``,
    else the other one; a record that keeps its English as the bare ``<field>`` is read so
    too (a grade's ``rationale``, English since before it had a Chinese one)."""
    def get(key):
        return record.get(key) if isinstance(record, dict) else getattr(record, key, None)
    if record is None:
        return ""
    zh, en = get(f"{field_name}_zh"), get(f"{field_name}_en") or get(field_name)
    return (zh or en or "") if language == "zh" else (en or zh or "")


@dataclass(frozen=True)
class ResultNames:
    """The registry's names of what one result cites, by code: processes, regions, gases
    (flows) as {"name_zh", "name_en"}; datasets as their manifest entry's ENTRY_FIELDS."""
    processes: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    flows: dict = field(default_factory=dict)
    datasets: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)  # sub-assemblies, by the code lines give

    @classmethod
    def of(cls, result: dict, registry) -> ResultNames:
        """The names ``result`` needs, from ``registry`` (what it no longer registers, a
        result of an earlier data version, is left out: it is shown by its code)."""
        records = result.get("factors") or []
        codes = ({r["process"] for r in records} |
                 {e.get("factor") for e in result.get("by_input") or []}) - {None}
        regions = ({r.get("region") for r in records} | {result.get("region")}) - {None}
        gases = {e["input"].partition(":")[2] for e in result.get("by_input") or []
                 if str(e.get("input")).startswith("emission:")}
        sources = [r["source"] for r in records]
        sources.append((result.get("method") or {}).get("source") or {})
        datasets = {}
        for source in sources:
            if source.get("dataset") and source["dataset"] not in datasets:
                entry = registry.manifest_entry(source["dataset"])
                datasets[source["dataset"]] = {k: entry[k] for k in ENTRY_FIELDS if k in entry}
        return cls(processes=_registered(registry.processes, codes),
                   regions=_registered(registry.regions, regions),
                   flows=_registered(registry.flows, gases),
                   datasets={k: v for k, v in datasets.items() if v},
                   products=_sub_assemblies(result))

    def to_data(self) -> dict:
        return {"processes": self.processes, "regions": self.regions, "flows": self.flows,
                "datasets": self.datasets, "products": self.products}

    @classmethod
    def from_data(cls, data: dict | None) -> ResultNames:
        """The names as ``to_data`` gave them; none (each code as it is) for no data."""
        return cls(**{k: dict((data or {}).get(k) or {}) for k in
                      ("processes", "regions", "flows", "datasets", "products")})

    def region(self, code: str | None) -> dict | None:
        """A region by its names and code; a region not registered by its code."""
        if code is None:
            return None
        return {"code": code, **self.regions.get(code, names(code, code))}

    def dataset(self, dataset_id: str | None) -> dict:
        """The manifest entry's names of a cited dataset; {} for one not registered."""
        return self.datasets.get(dataset_id or "", {})


def _sub_assemblies(result: dict) -> dict:
    """The products of the sub-assemblies the result's lines take, by the code a line keeps
    (its product id, else its name), named as their own BOMs name them (the result's "bom"
    holds each BOM it was calculated with, under the line that takes it)."""
    subs = ((result.get("bom") or {}).get("sub_assemblies") or {}).values()
    products = [sub["bom"]["product"] for sub in subs]
    return {p.get("id") or p["name"]: names(p.get("name_zh"), p["name"]) for p in products}


def _registered(records: dict, codes) -> dict:
    return {code: names(records[code].name_zh, records[code].name_en)
            for code in sorted(codes) if code in records}


def publisher(source: dict, entry: dict) -> dict:
    """The publisher a line shows (the whole citation is for the table of sources): in
    English the one its citation names first ("Publisher: what"), in Chinese its dataset's
    ``publisher_zh`` where the manifest entry gives one, else the English."""
    cited = source["citation"].split(": ", 1)[0]
    return names(entry.get("publisher_zh"), cited)


def names_datasets(result: dict) -> bool:
    """Whether a note of the result names datasets by their codes (``named_note`` names
    them by their titles), so a reader without the names at hand knows to take them."""
    return any("datasets" in (m.get("params") or {}) for m in result.get("note_messages") or [])


def named_note(note: dict, result_names: ResultNames) -> dict:
    """A stored note (a message as footprint.errors.as_data keeps it) with the datasets it
    names ("datasets": codes joined by ", ", as the engine writes them) by their titles, the
    code after each, for ``footprint data show``: 铁路货运，中国（rail_freight_cn）; Rail
    freight, China (rail_freight_cn). A dataset not registered now stays its code."""
    params = note.get("params") or {}
    codes = params.get("datasets")
    if not isinstance(codes, str):
        return note

    def titled(code: str, language: str) -> str:
        title = named(result_names.dataset(code), language, "title")
        if not title:
            return code
        return f"{title}（{code}）" if language == "zh" else f"{title} ({code})"
    listed = codes.split(", ")
    said = {"text": ["、".join(titled(c, "zh") for c in listed),
                     "; ".join(titled(c, "en") for c in listed)]}
    return {**note, "params": {**params, "datasets": said}}


def cited_datasets(result: dict, result_names: ResultNames) -> dict:
    """The manifest entry (its names) of every dataset the result's factors and method cite,
    by id: the sources say its title and publisher in the reader's language (the English
    where a plugin's manifest has no ``title_zh``); a dataset no plugin registers now (a
    result of an earlier data version) is left out: it is cited by its stored citation."""
    sources = [f["source"] for f in result.get("factors") or []]
    sources.append((result.get("method") or {}).get("source") or {})
    return {s["dataset"]: result_names.dataset(s["dataset"]) for s in sources
            if s.get("dataset") and result_names.dataset(s["dataset"])}


def confidence_levels(result: dict) -> dict:
    """high, medium or low of each factor the result cites (by process) and of its method
    ("method"): the sources say the level in the reader's language, the dataset's own note
    on it (how and where its figures were read) is for experts."""
    levels = {f["process"]: confidence(f["source"]["confidence"], f.get("year"))
              for f in result.get("factors") or []}
    method = (result.get("method") or {}).get("source") or {}
    return {**levels, "method": confidence(method.get("confidence") or "", None)}


def confidence_in_chinese(note: str, entry: dict | None) -> str | None:
    """A source's confidence note as its dataset's manifest says it in Chinese
    (``confidence_zh``) where the note is the one that manifest states in English; None for
    another (a plugin's own note on one factor, an earlier version's restated in English
    only): that is said with its levels alone in Chinese."""
    if entry and note and entry.get("confidence") == note:
        return entry.get("confidence_zh")
    return None


def confidence(text: str, year: int | None) -> str | None:
    """high, medium or low: what a source says of the factor's year where it says so per
    year ("2021 medium ...; 2022 and 2023 high"), else its first level; None if it names
    none."""
    years = rf"\b(?:\d{{4}}(?:, | and ))*{year}(?:(?:, | and )\d{{4}})*"  # 2022 and 2023
    found = re.search(rf"{years} {LEVELS}\b", text) if year else None
    found = found or re.search(rf"\b{LEVELS}\b", text)
    return found.group(1) if found else None


def factor(record: dict | None, result_names: ResultNames) -> dict | None:
    """A factor of the result as a line shows it: its names, rates (value, gas, unit), the
    publisher of its source, its confidence level, plugin, year, region and basis."""
    if record is None:
        return None
    source = record["source"]
    if record["kind"] == "electricity":
        rates = [(record["value"], record["flow"], "kWh")]
    else:
        rates = [(value, gas, record["unit"]) for gas, value in record["emissions"].items()]
    return {"id": record["process"], "kind": record["kind"], "rates": rates,
            "name": result_names.processes.get(record["process"]) or
            names(None, record.get("name")),
            "publisher": publisher(source, result_names.dataset(source.get("dataset"))),
            "source": source,
            "confidence": confidence(source["confidence"], record.get("year")),
            "plugin": record["plugin"], "year": record.get("year"),
            "region": result_names.region(record.get("region")), "basis": record.get("basis")}


def input_name(entry: dict, shown_factor: dict | None,
               result_names: ResultNames) -> tuple[str, dict]:
    """(kind, name) of what a line brings in: a registered process by its names, electricity
    (named with its region and basis by the reader: 电网电力，山东), a direct emission by its
    gas, a sub-assembly by its product. ``shown_factor``: the line's ``factor``."""
    if entry.get("sub_assembly"):
        code = entry["sub_assembly"]
        return "sub_assembly", result_names.products.get(code) or names(code, code)
    if entry["input"].startswith("emission:"):
        gas = entry["input"].partition(":")[2]
        return "emission", result_names.flows.get(gas) or names(gas, gas)
    if shown_factor is not None and shown_factor["kind"] == "electricity":
        return "electricity", shown_factor["name"]
    if shown_factor is not None:
        return "process", shown_factor["name"]
    return "process", names(entry["input"], entry["input"])


def method_name(name: str, language: str) -> str:
    """A GWP method's name as a reader sees it: the standard's name, its English gloss
    ("IPCC AR6 GWP100 (default)") only in English."""
    return name.split(" (")[0] if language == "zh" else name
