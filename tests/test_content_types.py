"""Every answer in text says its charset once: Flask adds "; charset=utf-8" to a text/*
mimetype itself, so a view that passes one with its own charset answered
"text/csv; charset=utf-8; charset=utf-8" (the carbon account's statement.csv, the trust-list
note). The test walks every GET route of the app, as nobody and as each kind of user, and
reads the Content-Type of every answer in text."""
from __future__ import annotations

import re

from footprint.usecases import accountdeclarations

ROLES = (None, "orchard", "admin", "reviewer")


def _values(service, label_id: str) -> dict[str, str]:
    """A value for each URL parameter, of objects that exist, so that pages answer 200."""
    orchard = service.people["orchard"]
    submission_id = service.db.query("SELECT id FROM submissions ORDER BY id").__next__()["id"]
    product_id = service.db.query("SELECT id FROM products ORDER BY id").__next__()["id"]
    return {"org_id": str(orchard["org_id"]), "id": str(submission_id),
            "submission_id": str(submission_id),
            "product_id": str(product_id), "label_id": label_id, "b32": "X", "code": "en",
            "filename": "style.css", "origin": "example.org/log", "path": "checkpoint",
            "name": "oranges", "pf_id": "x", "gtin": "09506000134352", "lot": "A1",
            "day": "2026-01-01", "decision_id": "1", "evidence_id": "1", "file_id": "1",
            "kind": "csv"}


def _urls(app, values):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", values[name], url)
        yield url


def test_no_answer_in_text_repeats_its_charset(service, clients, issuer, approve, make_bom):
    sub = approve(make_bom(), issuer)
    accountdeclarations.declare_production(service.db, service.people["orchard"],
                                           sub["product_id"], 2026, 1000)
    label_id = service.db.query("SELECT id FROM labels").__next__()["id"]
    urls = sorted(set(_urls(service.app, _values(service, label_id))))
    in_text = {}
    for role in ROLES:
        client = clients[role] if role else service.app.test_client()
        for url in urls:
            response = client.get(url)
            response.close()  # a static file's answer holds the file open
            content_type = response.headers.get("Content-Type", "")
            if content_type.startswith("text/"):
                in_text[(role, url)] = (response.status_code, content_type)
    repeated = {k: v for k, v in in_text.items() if v[1].lower().count("charset") > 1}
    assert repeated == {}
    # the two that repeated it, read for real, and text of every kind beside them
    assert in_text[("orchard", f"/accounts/{service.people['orchard']['org_id']}"
                               "/statement.csv")] == (200, "text/csv; charset=utf-8")
    assert in_text[(None, "/.well-known/footprint/trust-list.note")] == (
        200, "text/plain; charset=utf-8")
    assert in_text[(None, "/log/checkpoint")] == (200, "text/plain; charset=utf-8")
    first = service.db.query("SELECT id FROM submissions ORDER BY id").__next__()["id"]
    assert in_text[("orchard", f"/submissions/{first}/bom.csv")] == (
        200, "text/csv; charset=utf-8")
    assert in_text[(None, "/static/style.css")][1] == "text/css; charset=utf-8"
    assert sum(status == 200 for status, _ in in_text.values()) >= 60
