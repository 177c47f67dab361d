"""The whole disclosure flow in a real browser: headless Chromium (Debian's /usr/bin/chromium,
installed by `make test`) driven by Playwright against the service on a loopback port, with
CSRF protection on, as producer, accounting body and platform reviewer, in Chinese and English.
"""
import os
import re
import shutil
import threading

import playwright.sync_api as playwright_api
import pytest

from footprint.usecases import actions, review
from footprint.usecases import submissions as subs
from tests.conftest import app_on

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not os.path.exists(CHROMIUM):
    # make test installs Debian's chromium; in CI a missing browser is a failure, not a skip
    message = "Debian's chromium is not installed (make test installs it)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)


@pytest.fixture
def live_server(service):
    """The service with CSRF on, served by werkzeug on a free loopback port."""
    from werkzeug.serving import make_server

    from footprint.labels import generate

    generate(service.home, "CN-SC", "Sichuan platform", "CN-SC")  # approval issues a label
    app = app_on(service.home, service.app.extensions["footprint_engine"])  # CSRF on, as served
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def log_in(browser, base, username, viewport=(1280, 720)):
    page = browser.new_context(locale="zh-CN", viewport={"width": viewport[0],
                                                          "height": viewport[1]}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    return page


def set_field(page, name, value):
    field = page.locator(f"[name='{name}']").first
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def test_producer_submits_verifier_verifies_reviewer_approves(live_server, browser):
    producer = log_in(browser, live_server, "orchard")
    assert producer.url.endswith("/producer/")
    producer.goto(f"{live_server}/producer/submissions/new")
    for name, value in [("product-name", "Gear blank"), ("declared_unit-amount", "1"),
                        ("declared_unit-unit", "piece"), ("region", "CN-SC"),
                        ("factor_year", "2022"), ("lines-0-input", "electricity"),
                        ("lines-0-amount", "100"), ("lines-0-unit", "kWh"),
                        ("lines-0-stage", "production")]:
        set_field(producer, name, value)
    # the live preview: 100 kWh x 0.1404 kg CO2/kWh (Sichuan 2022) = 14.04 kg CO2e,
    # to 3 significant figures: 14.0, as on the saved page and the label
    producer.wait_for_function(
        "() => (document.querySelector('#preview-body') || {}).textContent?.includes('14.0')",
        timeout=15000)
    producer.click("button[name=action][value=save]")
    producer.wait_for_url(re.compile(r".*/submissions/\d+$"))
    detail_url = producer.url
    assert "14.0" in producer.inner_text("main")
    producer.select_option("select[name=verifier_org]", label="Sichuan Carbon Verification")
    producer.click("form[action$='/submit'] button[type=submit]")
    producer.wait_for_load_state()
    assert producer.locator(".status-submitted").count() >= 1

    verifier = log_in(browser, live_server, "auditor")
    verifier.goto(f"{live_server}/verifier/")
    verifier.click(f"a[href$='{detail_url[len(live_server):]}']")
    # the checklist comes first: without its three ticks the browser does not send the form
    verifier.click("form[action$='/verify'] button[type=submit]")
    assert verifier.locator(".status-submitted").count() >= 1
    assert verifier.locator("#checklist input:invalid").count() == 3
    for box in verifier.locator("#checklist input[type=checkbox]").all():
        box.check()
    verifier.click("form[action$='/verify'] button[type=submit]")
    verifier.wait_for_load_state()
    assert verifier.locator(".status-verified").count() >= 1
    assert verifier.locator("form[action$='/approve']").count() == 0  # not theirs to approve

    reviewer = log_in(browser, live_server, "reviewer")
    reviewer.goto(detail_url)
    reviewer.click("form[action$='/approve'] button[type=submit]")
    reviewer.wait_for_load_state()
    assert reviewer.locator("#status .status-issued").count() == 1
    assert reviewer.locator("#label img.label-qr").count() == 1  # the label, with its QR
    trail = reviewer.inner_text("main")
    assert "auditor" in trail and "reviewer" in trail


def test_pages_speak_chinese_and_english(live_server, browser):
    english_browser = browser.new_context(locale="en-US").new_page()
    english_browser.goto(f"{live_server}/login")
    assert english_browser.inner_text("h1") == "Log in"  # the browser's language is honoured
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server}/login")
    assert page.inner_text("h1") == "登录"
    page.click("text=English")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Log in"
    page.fill("input[name=username]", "orchard")
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    assert "My products" in page.inner_text("header")
    page.click("text=中文")
    page.wait_for_load_state()
    assert "我的产品" in page.inner_text("header")


def test_a_footprint_stored_before_the_limits_fits_a_phone(live_server, browser, service,
                                                            make_bom, monkeypatch):
    """1e308 kWh was accepted before amounts had a limit, and its footprint, 1.404e307 kg,
    written out in 308 digits, made the submission page 7,483 px wide on a 390 px phone.
    Such a stored footprint is shown as a power of ten (1.40 × 10³⁰⁷) and fits."""
    from footprint import schemafields
    from footprint.engine import pipeline
    from footprint.usecases import submissions

    huge = make_bom(lines=[{"input": "electricity", "amount": 1e308, "unit": "kWh",
                            "stage": "production"}])
    with monkeypatch.context() as before_the_limits:
        before_the_limits.setattr(schemafields.Limit, "__call__", lambda self, value: value)
        before_the_limits.setattr(pipeline, "check_finite", lambda result: None)
        stored, _ = submissions.create_submission(
            service.db, service.app.extensions["footprint_engine"],
            service.people["orchard"], huge)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = phone.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "orchard")
    page.fill("input[name=password]", "correct horse battery")
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    for path in (f"/submissions/{stored['id']}", "/producer/"):
        page.goto(f"{live_server}{path}")
        assert "1.40\u00a0×\u00a010³⁰⁷" in page.inner_text("main"), path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


LONG_WORD = "ABCDEFGH" * 495  # 3,960 letters and no space: a reason within the limit


def test_a_long_unbroken_reason_never_widens_a_page(live_server, browser, service, make_bom):
    """Returned with a reason holding a 3,960-letter word and commented on with another: on a
    desktop and on a phone, the verifier's queue, the submission's page (every section open,
    the audit trail too) and the producer's editor are no wider than the screen."""
    db, people = service.db, service.people
    engine = service.app.extensions["footprint_engine"]
    sub, _ = subs.create_submission(db, engine, people["orchard"], make_bom())
    sid = sub["id"]
    actions.act(db, people["orchard"], sid, "submit", verifier_org="Sichuan Carbon Verification")
    actions.act(db, people["auditor"], sid, "return", reason="meter readings: " + LONG_WORD)
    review.comment(db, people["auditor"], sid, "see " + LONG_WORD)
    paths = {"auditor": ["/verifier/", f"/submissions/{sid}"],
             "orchard": [f"/submissions/{sid}", f"/producer/submissions/{sid}/edit"]}
    for size in ((1366, 900), (390, 844)):
        for user, urls in paths.items():
            page = log_in(browser, live_server, user, size)
            for url in urls:
                page.goto(live_server + url)
                assert LONG_WORD[:40] in page.content(), url
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                wide, screen = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]")
                assert wide <= screen, (user, url, size, wide)
