"""Every page of every role, in Chinese and English, on a desktop (1280x800) and a phone
(390x844), in headless Chromium on the demo's data: a screenshot of each is kept (under
build/screenshots, or FOOTPRINT_SCREENSHOTS), and each is held to what a reader needs:

- no English words of the interface on a Chinese page (the data people typed, the platforms'
  names, the names a dataset's Chinese title keeps (authors, journals), units, and machine
  text in <code> may be in either language; a factor's English citation may not);
- no table column narrower than its longest word (a Chinese word of up to four characters, a
  Latin word of up to 24 letters: longer identifiers may wrap);
- no horizontal scrolling on a phone;
- the orange co-operative's 13-line submission fits in 3,000 px on a desktop.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path

import playwright.sync_api as playwright_api
import pytest

from footprint.labels import to_b32
from footprint.labels.keys import trust_list
from footprint.usecases import demo

from .conftest import app_on, seeded_demo

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
LANGUAGES = {"zh": "zh-CN,zh;q=0.9", "en": "en-US,en;q=0.9"}
LOCALES = {"zh": "zh-CN", "en": "en-US"}  # the browser's own words (a file input's button)
# px at 1280 wide: the certifier's worksheet of 13 lines (its label replaces the 2025
# season's, one row more), seen by its producer with the button that starts next year's
# declaration from it (a row of 43 px)
ORANGE_PAGE_LIMIT = 3100
CJK_WORD = 4  # characters: longer Chinese runs may break between characters
LATIN_WORD = 24  # letters: longer identifiers (hashes, label ids) may wrap

if not os.path.exists(CHROMIUM):
    message = "Debian's chromium is not installed (make test installs it)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

# Words that are not interface text in either language: units and symbols, the names of
# standards, formats and the software, and the language switch itself.
NOT_INTERFACE = {"kWh", "MWh", "GJ", "kg", "tkm", "km", "CO₂e", "CO2e", "Brightway",
                 "footprint", "English", "IPCC", "GWP", "Ember", "Digital", "Link", "ISO",
                 "Ed25519", "COSE", "Merkle", "UTC",
                 # the IPCC's symbols of its N2O equations, as a formula names its parameters
                 "FracGASF", "FracGASM", "FracLEACH"}

WIDTH_PROBE = """(limits) => {
  const canvas = document.createElement('canvas').getContext('2d');
  const narrow = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (!cell.offsetParent || !cell.innerText.trim()) continue;
    const style = getComputedStyle(cell);
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const words = cell.innerText.split(/\\s+/).flatMap(token =>
      token.match(new RegExp(`[\\u3400-\\u9fff\\uf900-\\ufaff]{1,${limits.cjk}}|[^\\u3400-\\u9fff\\uf900-\\ufaff]+`, 'g')) || []);
    for (const word of words) {
      const width = canvas.measureText(word.slice(0, limits.latin)).width;
      if (width > room + 1) {
        narrow.push(`${word} (${Math.round(width)} px in a ${Math.round(room)} px column)`);
        break;
      }
    }
  }
  return narrow;
}"""


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, engine):
    """The demo seeded into a home of its own, served on a free loopback port."""
    from werkzeug.serving import make_server

    home = tmp_path_factory.mktemp("pages-demo")
    db, seeded = seeded_demo(home, engine)
    app = app_on(home, engine)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", db, seeded, home
    server.shutdown()
    thread.join(timeout=5)
    db.close()


def data_words(db, home: Path) -> set[str]:
    """Every word of the data people (and the demo) typed (names, BOMs, notes, comments,
    reasons, labels' published names), of the platforms' names in the trust list, and of the
    Chinese titles, publishers and notes of the datasets: these may be English on a Chinese
    page.
    A factor's English citation is not: a Chinese page cites its dataset's title_zh and
    publisher_zh, the citation only on hover."""
    texts = [entry.name for entry in trust_list(home).entries]
    # the names the Chinese keeps as they are: a study by its authors (Degen 等，2023, as a
    # formula cites it too), a journal, ICE
    for manifest in ROOT.glob("lca_data/**/manifest.json"):
        for entry in json.loads(manifest.read_text(encoding="utf-8")).get("datasets", []):
            texts += [str(entry.get(key, "")) for key in ("title_zh", "publisher_zh")]
            texts += entry.get("notes_zh", {}).values()  # a factor's note: WTT, RF, ABS
    for sql in ("SELECT name, region, credit_code FROM organisations",
                "SELECT username, display_name FROM users",
                "SELECT name, name_zh, category FROM products",
                "SELECT bom_json FROM submissions", "SELECT body FROM comments",
                "SELECT reason FROM audit_events", "SELECT filename FROM evidence",
                "SELECT claims_json, revocation_reason FROM labels",
                "SELECT name, base_rate_name FROM loan_products"):
        for row in db.execute(sql):
            texts += [str(value) for value in row if value is not None]
    joined = " ".join(texts)
    return set(re.findall(r"[A-Za-z][A-Za-z'-]+", joined)) | set(re.findall(r"[A-Za-z]+", joined))


def pages(seeded, scan_paths: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    """(name, path) of every page, by who opens it (None: anyone, not logged in)."""
    ids = seeded.submissions
    return {
        None: [("landing", "/"), ("login", "/login"), ("revoked", "/labels/revoked")]
        + [(f"scan-{key}", f"/L/{b32}") for key, b32 in scan_paths.items()],
        "orchard": [("producer", "/producer/"), ("new", "/producer/submissions/new"),
                    ("edit", f"/producer/submissions/{ids['oranges-packed']}/edit"),
                    ("orange", f"/submissions/{ids['oranges-farm-gate']}"),
                    ("returned", f"/submissions/{ids['oranges-packed']}"),
                    ("password", "/account/password"), ("account", "/accounts/"),
                    ("consents", "/consents"), ("loan", "/loans/decisions/1")],
        "ruralbank": [("bank", "/bank/"), ("borrower", "/bank/accounts/1"),
                      ("loan-product", "/bank/products/new"), ("price", "/bank/price"),
                      ("loan", "/loans/decisions/1")],
        "verifier": [("queue", "/verifier/"), ("submitted", f"/submissions/{ids['sd-lfp']}")],
        "reviewer": [("queue", "/reviewer/"), ("verified", f"/submissions/{ids['cq-nmc']}"),
                     ("issued", f"/submissions/{ids['pzh-steel']}")],
        "admin": [("admin", "/admin/"), ("all-submissions", "/supervision/submissions"),
                  ("organisations", "/supervision/organisations"),
                  ("qualifications-of-a-body", "/supervision/qualifications?org=5")],
    }


@pytest.fixture(scope="module")
def scan_paths(demo_site):
    """label key -> the base32 of its bytes, as a QR code holds it."""
    base, db, seeded, home = demo_site
    return {key: to_b32(bytes(db.execute("SELECT cose FROM labels WHERE id = ?",
                                         [label_id]).fetchone()[0]))
            for key, label_id in seeded.labels.items()}


def screenshot_folder() -> Path:
    folder = Path(os.environ.get("FOOTPRINT_SCREENSHOTS") or ROOT / "build" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_every_page_of_every_role(demo_site, scan_paths):
    base, db, seeded, home = demo_site
    allowed = data_words(db, home) | NOT_INTERFACE
    folder = screenshot_folder()
    problems: list[str] = []
    heights = {}
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for role, visits in pages(seeded, scan_paths).items():
            for language, accept in LANGUAGES.items():
                for size, (width, height) in SIZES.items():
                    context = browser.new_context(
                        viewport={"width": width, "height": height},
                        locale=LOCALES[language], timezone_id="Asia/Shanghai",
                        extra_http_headers={"Accept-Language": accept})
                    page = context.new_page()
                    if role is not None:
                        page.goto(f"{base}/login")
                        page.fill("input[name=username]", role)
                        page.fill("input[name=password]", demo.DEMO_PASSWORD)
                        page.click("form.card button[type=submit]")
                        page.wait_for_load_state()
                    for name, path in visits:
                        where = f"{role or 'public'} {name} {language} {size} ({path})"
                        response = page.goto(f"{base}{path}")
                        page.wait_for_load_state("networkidle")
                        if response is None or response.status >= 400:
                            problems.append(f"{where}: answered "
                                            f"{response and response.status}")
                            continue
                        page.screenshot(path=str(folder / f"{role or 'public'}-{name}-"
                                                           f"{language}-{size}.png"),
                                        full_page=True)
                        problems += [f"{where}: {p}" for p in look_at(page, language, size,
                                                                     allowed)]
                        if name == "orange" and size == "desktop":
                            heights[language] = page.evaluate(
                                "document.documentElement.scrollHeight")
                    context.close()
        browser.close()
    for language, px in heights.items():
        if px > ORANGE_PAGE_LIMIT:
            problems.append(f"the orange worksheet ({language}) is {px} px high, over "
                            f"{ORANGE_PAGE_LIMIT}")
    assert problems == [], "\n".join(problems)


def look_at(page, language: str, size: str, allowed: set[str]) -> list[str]:
    problems = []
    if language == "zh":
        # machine text (hashes, proofs, paths) is in <code>: not interface words
        text = page.evaluate("""() => { const body = document.body.cloneNode(true);
            body.querySelectorAll('code, kbd, samp').forEach(e => e.remove());
            document.documentElement.appendChild(body); body.style.display = 'block';
            const text = body.innerText; body.remove(); return text; }""")
        english = sorted({w for w in re.findall(r"[A-Za-z][a-z]{2,}[A-Za-z'-]*", text)
                          if w not in allowed and w.strip("'-") not in allowed})
        if english:
            problems.append(f"English on a Chinese page: {', '.join(english[:12])}")
    narrow = page.evaluate(WIDTH_PROBE, {"cjk": CJK_WORD, "latin": LATIN_WORD})
    if narrow:
        problems.append(f"columns narrower than their words: {'; '.join(narrow[:4])}")
    if size == "phone":
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"scrolls sideways by {overflow} px")
    return problems

