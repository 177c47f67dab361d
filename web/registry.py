"""The public registry (公开目录), no login: every label issued here, searched and filtered;
a page per product and per organisation; the benchmarks of verified data; the open data.

    GET /registry                          search and filters (q, region, category, org,
                                           grade, state), 50 a page, ?before= the next
    GET /registry/products/<id>            a product and every label it had
    GET /registry/organisations/<id>       an organisation, its products' labels and the
                                           labels it verified as accounting body
    GET /registry/labels/<label_id>        to the label's scan page
    GET /registry/benchmarks               per category and declared unit
    GET /registry/data[?version=V]         the datasets every footprint is calculated from
                                           (of data version V: its name, or its hash or 8+
                                           hex digits of it)
    GET /registry/open-data                today's snapshot, written on the day's first ask
    GET /registry/open-data/<day>/<file>   its files
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, \
    send_from_directory, url_for

from footprint.labels import to_b32
from footprint.usecases import benchmarks, datasources, findings, opendata, qualifications
from footprint.usecases import labels as label_records
from footprint.usecases import registry

from .db import get_db, get_engine
from .formatting import per_amount
from .vocabulary import STATUSES, named, word

bp = Blueprint("registry", __name__, url_prefix="/registry")

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _home() -> Path:
    return Path(current_app.config["FOOTPRINT_HOME"])


def _choices() -> dict:
    """The regions, categories and grades the filters offer (the engine's, not a scan of the
    labels)."""
    engine_registry = get_engine().registry
    grades = sorted({band.grade for category in engine_registry.categories.values()
                     if category.grading for band in category.grading.bands})
    return {"regions": sorted(engine_registry.regions.values(), key=lambda r: r.code),
            "categories": sorted(engine_registry.categories.values(), key=lambda c: c.id),
            "grades": grades, "states": label_records.STATUSES}


def _names() -> dict:
    engine_registry = get_engine().registry
    return {"category_of": engine_registry.categories.get,
            "region_of": engine_registry.regions.get}


def _shown(rows: list[dict]) -> list[dict]:
    """The rows with their words in the reader's language: each category, region, state and
    declared unit said once a page, not once a row."""
    engine_registry = get_engine().registry
    said: dict = {}

    def once(key, make):
        if key not in said:
            said[key] = make()
        return said[key]

    def name(records, code):
        record = records.get(code)
        return named(record) if record is not None else code

    return [{**row,
             "category_name": once(("c", row["category"]), lambda: name(
                 engine_registry.categories, row["category"])),
             "region_name": once(("r", row["region"]), lambda: name(
                 engine_registry.regions, row["region"])),
             "state_word": once(("s", row["state"]), lambda: word(STATUSES, row["state"])),
             "per": once(("u", row["declared_amount"], row["declared_unit"]),
                         lambda: per_amount({"amount": row["declared_amount"],
                                             "unit": row["declared_unit"]}))}
            for row in rows]


@bp.route("")
def index():
    page = registry.search(get_db(), request.args, get_engine().registry.categories)
    more = {k: v for k, v in request.args.items() if k != "before"}
    next_url = url_for("registry.index", **more, before=page.next_before) \
        if page.next_before else None
    return render_template("registry/index.html", page=page, rows=_shown(page.rows),
                           args=request.args,
                           next_url=next_url, first_url=url_for("registry.index", **more),
                           **_choices(), **_names())


@bp.route("/products/<int:product_id>")
def product(product_id: int):
    found, page = registry.product(get_db(), product_id)
    return render_template("registry/product.html", product=found, page=page,
                           rows=_shown(page.rows), **_names())


@bp.route("/organisations/<int:org_id>")
def organisation(org_id: int):
    found, produced, verified = registry.organisation(get_db(), org_id, request.args)
    next_url = url_for("registry.organisation", org_id=org_id, before=produced.next_before) \
        if produced.next_before else None
    return render_template("registry/organisation.html", organisation=found,
                           produced=_shown(produced.rows), verified=_shown(verified.rows),
                           findings=findings.public_findings(get_db(), org_id),
                           qualifications=qualifications.of_body(get_db(), org_id),
                           categories=get_engine().registry.categories,
                           with_subject=False, next_url=next_url, **_names())


@bp.route("/labels/<label_id>")
def label(label_id: str):
    found = label_records.find(get_db(), label_id)
    if found is None:
        abort(404)
    return redirect(url_for("scan.label", b32=to_b32(bytes(found["cose"]))))


@bp.route("/benchmarks")
def benchmarks_page():
    db = get_db()
    return render_template("registry/benchmarks.html",
                           distributions=benchmarks.distributions(db),
                           versions=benchmarks.versions(db), **_names())


@bp.route("/data")
def data_sources():
    """What the figures of every label rest on: each dataset, as its manifest describes it, in
    the version the platform calculates with (or in the data version a label names: 404 for
    one this platform cannot name), and the data versions a result may name."""
    version = request.args.get("version", "")[:100] or None
    return render_template("registry/data.html",
                           sources=datasources.data_sources(get_engine(), version))


@bp.route("/open-data")
def open_data():
    folder, manifest = opendata.today(get_db(), _home())
    return render_template("registry/open_data.html", day=folder.name, manifest=manifest,
                           manifest_name=opendata.MANIFEST)


@bp.route("/open-data/<day>/<name>")
def open_data_file(day: str, name: str):
    if not DAY.fullmatch(day) or name not in opendata.FILES:
        abort(404)
    return send_from_directory(opendata.snapshots_folder(_home()) / day, name,
                               as_attachment=True)
