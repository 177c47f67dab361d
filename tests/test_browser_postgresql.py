"""A browser against the service on PostgreSQL (tests/test_browser*.py run it on SQLite):
the scan page of a label issued there, at a phone's width, and the producer's BOM editor, its
preview and the draft it saves, in headless Chromium."""
from __future__ import annotations

import pytest

from footprint.labels import to_b32
from footprint.usecases.issuing import Issuer
from tests.test_browser import browser, live_server  # noqa: F401 (fixtures)
from tests.test_browser_editor import GRADE, complete_the_bom, open_editor  # noqa: F401

pytestmark = pytest.mark.parametrize("service", ["postgresql"], indirect=True)


def test_a_scan_and_the_producer_editor_in_a_browser_on_postgresql(  # noqa: F811
        service, live_server, browser, approve, make_bom, open_editor):
    assert service.db.dialect == "postgresql"
    issued = approve(make_bom(product={"name": "Gear blank", "name_zh": "齿轮毛坯",
                                       "category": "generic"}), Issuer(service.home, "CN-SC"))
    assert issued["status"] == "issued"
    [(cose,)] = service.db.execute("SELECT cose FROM labels").fetchall()

    scanner = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page = scanner.new_page()
        page.goto(f"{live_server}/L/{to_b32(bytes(cose))}")
        assert page.get_attribute("#scan", "data-verdict") == "valid"
        assert "齿轮毛坯" in page.inner_text("#scan")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        scanner.close()

    editor = open_editor(1280, "en")
    complete_the_bom(editor, "en")
    assert GRADE["en"] in editor.inner_text("#preview")
    drafts = service.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    with editor.expect_navigation():
        editor.locator("#bom-editor button[name=action][value=save]").click()
    # 1 issued + the draft just saved, stored in PostgreSQL
    assert service.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == drafts + 1
