"""A Chinese page leaves a reader no English to read: the demo's pages, walked as each role
(and as anyone, not logged in) from its landing page along the same-site links, in Chinese.

English may be data: a name or a note people typed (the demo's organisations keep their
English names beside the Chinese), an element marked lang="en" (a factor's citation, a
plugin's English-only note: marked so, a screen reader reads it in English too), a code in
<code>, or a proper name of a standard (ISO 14067, the GHG Protocol). Anything else in three
or more English words running is interface text left untranslated.

tests/test_pages_in_browser.py looks at a fixed list of pages in Chromium; this walk reaches
every page a link leads to, through the test client, in a few seconds.
"""
from __future__ import annotations

import json
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from footprint.data import SAID_IN_CHINESE
from footprint.errors import Message, Text, as_data
from footprint.labels import to_b32
from footprint.labels.keys import trust_list
from footprint.units import UNITS
from footprint.usecases import demo
from footprint.usecases.users import seed_user

from web.problems import said_result

from .conftest import app_on, seeded_demo

ROOT = Path(__file__).resolve().parent.parent
CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}
PAGES_PER_ROLE = 40
# the demo has no regulator: one is seeded for the walk, in an authority of its own
REGULATOR = ("regulator", "四川省生态环境厅 Sichuan Department of Ecology and Environment")
# the producers of oranges, steel and batteries (each with a returned or draft submission
# whose form names its category's parameters), the accounting body, the platform's reviewer
# and administrator, the bank and the regulator
ROLES = ("orchard", "steelworks", "sdbattery", "verifier", "reviewer", "admin", "ruralbank",
         REGULATOR[0])
# where a reader who is not logged in starts: the landing page, the public registry and its
# open data, the revocation list (and each label's scan page, added from the demo's labels)
PUBLIC_STARTS = ("/", "/registry", "/registry/open-data", "/registry/benchmarks",
                 "/labels/revoked")

# Links not followed: leaving (logout is a form, but a link would end the walk), the language
# switch (sets a cookie), and what answers a file or machine text rather than a page.
NOT_FOLLOWED = re.compile(r"^/(lang/|logout|api/|3/|\.well-known/|log/)|"
                          r"\.(csv|json|pdf|png|svg|xlsx|zip|cose|note|txt)$|/download|"
                          r"/(export|file|evidence)/")
# the pages anyone reads: walked once, not logged in, so each role's walk goes on to its own
PUBLIC = re.compile(r"^/(registry|L/|labels/revoked|exposure|$)")

# Text that is English in every language: the names of standards, frameworks and formats
PROPER_NAMES = ("ISO 14067", "GB/T 24067", "PACT", "GHG Protocol", "Pathfinder Framework",
                "GS1 Digital Link")
SKIPPED = {"script", "style", "code", "pre", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# elements inside a sentence: a run of words goes on through them (any other element ends it)
INLINE = {"a", "abbr", "b", "cite", "em", "i", "mark", "q", "s", "small", "span", "strong",
          "sub", "sup", "time", "u", "var"}
# a word: lower case or capitalised (kWh, GJ, CN-SC, MEE-2022 are symbols and codes, not words)
WORD = r"[A-Z]?[a-z]+(?:['’-][A-Za-z]+)*"
# three or more words in a row, between spaces or light punctuation (no full stop: the ends
# of two sentences are not one phrase)
ENGLISH_RUN = re.compile(rf"\b{WORD}(?:[ ,:;()/&]+{WORD}\b){{2,}}")
UNITS = set(UNITS)  # units are symbols, whatever their letters


class PageText(HTMLParser):
    """A page's visible text, as the runs of text between elements that break a sentence,
    outside <script>, <style>, machine text and elements marked lang="en"; and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden: skipped or marked English)
        self.texts: list[str] = [""]
        self.links: list[str] = []
        self.language = None  # the page's own, <html lang>

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.language = attrs.get("lang")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag not in INLINE:
            self.texts.append("")
        if tag in VOID:
            return
        hidden = (bool(self.stack) and self.stack[-1][1]) or tag in SKIPPED or \
            (attrs.get("lang") or "").lower().startswith("en")
        self.stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in INLINE:
            self.texts.append("")
        for depth in range(len(self.stack) - 1, -1, -1):  # HTML may leave an element open
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        # hidden text breaks a run too: "Degen <cite lang=en>...</cite> said" is two runs
        self.texts[-1] += " · " if self.stack and self.stack[-1][1] else data

    def english(self, data: str) -> list[str]:
        """The runs of 3+ English words a reader reads, but for proper names and ``data``."""
        return [run for text in self.texts for run in english_runs(text, data)]


def english_runs(text: str, data: str) -> list[str]:
    """The runs of 3+ English words in ``text`` that are neither a proper name nor part of
    the ``data`` people typed."""
    text = re.sub(r"\s+", " ", text)
    for name in PROPER_NAMES:
        text = text.replace(name, " · ")
    text = " ".join(" · " if token in UNITS else token for token in text.split(" "))
    return [run for run in (m.group(0) for m in ENGLISH_RUN.finditer(text))
            if run not in data]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, engine):
    """The demo seeded into a home of its own (with a regulator), and an app on it."""
    home = tmp_path_factory.mktemp("chinese-pages")
    db, seeded = seeded_demo(home, engine)
    seed_user(db, REGULATOR[0], "regulator", REGULATOR[1], demo.DEMO_PASSWORD, "孙丽 Sun Li")
    app = app_on(home, engine, WTF_CSRF_ENABLED=False)
    scans = [f"/L/{to_b32(bytes(row[0]))}" for row in
             db.execute("SELECT cose FROM labels ORDER BY id")]
    data = "\n".join([*stored_text(db), *dataset_text(),
                      *(entry.name for entry in trust_list(home).entries)])
    yield SimpleNamespace(app=app, data=data, scans=scans, submissions=seeded.submissions,
                          categories=sorted(engine.registry.categories))
    db.close()


def dataset_text() -> list[str]:
    """The datasets' own Chinese titles, publishers, descriptions and notes, which keep the
    names they cite as they are written (期刊 Frontiers in Energy Research, Open Government
    Licence v3.0)."""
    texts = []
    for manifest in ROOT.glob("lca_data/**/manifest.json"):
        for entry in json.loads(manifest.read_text(encoding="utf-8")).get("datasets", []):
            texts += [str(entry.get(f"{key}_zh", "")) for key in SAID_IN_CHINESE]
            texts += entry.get("notes_zh", {}).values()
    return texts


def stored_text(db) -> list[str]:
    """What people (and the demo) typed, in whichever language they wrote it: English there
    is data. But for a product's name, which the BOM gives in English (beside its name_zh):
    a Chinese page knows that, and marks it lang="en"."""
    english_names = [name for (name,) in db.execute("SELECT name FROM products")]
    texts = []
    for sql in ("SELECT name FROM organisations", "SELECT display_name FROM users",
                "SELECT bom_json FROM submissions", "SELECT body FROM comments",
                "SELECT reason FROM audit_events", "SELECT filename FROM evidence",
                "SELECT claims_json, revocation_reason FROM labels",
                "SELECT name, base_rate_name FROM loan_products"):
        for row in db.execute(sql):
            texts += [str(value) for value in row if value is not None]
    for name in english_names:
        texts = [text.replace(name, "\n") for text in texts]
    return texts


def walk(client, starts, data: str, logged_in: bool) -> tuple[list[str], list[str]]:
    """The pages reached from ``starts`` (at most PAGES_PER_ROLE), and what was found: the
    English on them, and the links that answered an error page (read for English too)."""
    queue, seen, visited, found = deque(starts), set(starts), [], []
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.popleft()
        response = client.get(path, headers=CHINESE, follow_redirects=True)
        if response.mimetype != "text/html":
            continue
        visited.append(path)
        page = PageText()
        page.feed(response.get_data(as_text=True))
        # a page that said it was English would hide its whole text from the walk
        assert page.language == "zh-CN", f"{path} says it is in {page.language}"
        found += [f"{path}: {run}" for run in page.english(data)]
        if response.status_code != 200:  # a link the page offers leads to an error
            found.append(f"{path}: answered {response.status_code}")
            continue
        for href in page.links:
            target = urlsplit(urldefrag(urljoin(path, href))[0])
            if target.netloc or target.scheme not in ("", "http", "https"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen and not NOT_FOLLOWED.search(target.path) and \
                    not (logged_in and PUBLIC.search(target.path)):
                seen.add(link)
                queue.append(link)
    return visited, found


@pytest.mark.parametrize("role", [None, *ROLES])
def test_a_chinese_page_has_no_english_for_its_reader(demo_app, role):
    client = demo_app.app.test_client()
    if role is None:
        starts = [*PUBLIC_STARTS, *demo_app.scans]
    else:
        response = client.post("/login", data={"username": role,
                                                "password": demo.DEMO_PASSWORD},
                               headers=CHINESE)
        assert response.status_code == 302
        starts = [urlsplit(response.headers["Location"]).path]
    if role == "orchard":  # a new BOM's form for each category (its parameters), as chosen
        starts += [f"/producer/submissions/new?category={c}" for c in demo_app.categories]
    visited, found = walk(client, starts, demo_app.data, logged_in=role is not None)
    assert len(visited) >= 7, visited  # the walk got past the landing page's links
    assert found == [], "\n".join(found)


def test_the_walk_reads_the_text_a_reader_reads():
    page = PageText()
    page.feed("""<html lang="zh-CN"><head><title>标签 label and more</title>
        <style>p::after { content: "no reader sees this" }</style>
        <script>const hint = "nor sees this";</script></head><body>
        <p>请先 <a href="/rules">read the rules</a>，然后提交</p>
        <p>Checked by <strong>the</strong> body</p>
        <table><tr><td>Pujiang orchard</td><td>farm gate price</td></tr></table>
        <p>因子引自 <cite lang="en">Degen and others, a citation</cite> 与 GHG Protocol Product
        Standard</p>
        <p><code>footprint verify label.pdf --lang zh</code> 核验一个标签</p>
        <p>每 kg fruit · kWh per ha (CN-SC, MEE-2022)</p>
        <p>made in Chongqing, metered</p></body></html>""")
    assert page.language == "zh-CN"
    assert page.links == ["/rules"]
    # a run goes on through inline elements and stops at a cell's edge; marked English,
    # machine text, units and codes, the names of standards and typed data are not read
    assert page.english(data="4 Ah cells, made in Chongqing, metered plant energy") == [
        "label and more", "read the rules", "Checked by the body", "farm gate price"]


def test_the_grade_note_says_the_grading_unit_in_the_readers_language(demo_app):
    client = demo_app.app.test_client()
    client.post("/login", data={"username": "reviewer", "password": demo.DEMO_PASSWORD})
    # the V2O5 flake is a product of the V-Ti works whose bands are per t crude steel
    url = f"/submissions/{demo_app.submissions['pzh-v2o5']}"
    assert ('<p class="muted" id="grade">未分级：钒钛钢铁 的等级划分（kg CO2e/t 粗钢）'
            '不适用于此产品，因此不评级</p>') in client.get(url, headers=CHINESE).get_data(
                as_text=True)
    assert ('<p class="muted" id="grade">Not graded: the grade bands of Vanadium-titanium steel '
            'and vanadium products (kg CO2e/t crude steel) do not apply to this product, so it '
            'is not graded</p>') in client.get(url, headers={"Accept-Language": "en"}).get_data(
                as_text=True)


def test_a_grade_note_stored_before_units_had_chinese_marks_the_unit_english(demo_app):
    """A result stored before: the note's unit plain English, its category Text(name, id)."""
    note = Message("the grade bands of %(category)s (%(unit)s) do not apply to this product, "
                   "so it is not graded", category=Text("钒钛钢铁", "steel_vanadium"),
                   unit="kg CO2e/t crude steel")
    stored = {"grade_note": str(note), "grade_note_message": as_data(note)}
    with demo_app.app.test_request_context():
        assert said_result(stored, "zh")["grade_note"] == (
            '钒钛钢铁 的等级划分（<span lang="en">kg CO2e/t crude steel</span>）不适用于此产品，'
            '因此不评级')
        assert said_result(stored, "en")["grade_note"] == (
            "the grade bands of steel_vanadium (kg CO2e/t crude steel) do not apply to this "
            "product, so it is not graded")


def test_the_language_switch_names_each_language_in_itself(demo_app):
    """English, on a Chinese page, is the name of a language: read as English."""
    client = demo_app.app.test_client()
    for header, current in ((CHINESE, "中文"), ({"Accept-Language": "en"}, "English")):
        page = client.get("/", headers=header).get_data(as_text=True)
        assert re.search(r'lang="zh-CN" hreflang="zh-CN" (aria-current="true")?>中文</a>', page)
        assert re.search(r'lang="en" hreflang="en" (aria-current="true")?>English</a>', page)
        assert re.search(rf'aria-current="true">{current}</a>', page)


def test_a_note_names_the_datasets_it_speaks_of_by_their_titles(demo_app):
    # the V2O5 flake's slag credit takes the indicative vanadium figures (low confidence, an
    # unidentified source: FACTORS.md section 9); its notes name the dataset by its title in
    # the reader's language, the code after it, as `footprint calc` does
    client = demo_app.app.test_client()
    client.post("/login", data={"username": "reviewer", "password": demo.DEMO_PASSWORD})
    url = f"/submissions/{demo_app.submissions['pzh-v2o5']}"
    notes = re.search(r'<ul id="notes">(.*?)</ul>',
                      client.get(url, headers=CHINESE).get_data(as_text=True), re.S).group(1)
    assert "<li>使用了低置信度数据：钒渣、五氧化二钒与钒电解液（指示性从摇篮到大门因子）" \
           "（steel_vanadium_vanadium_indicative）</li>" in notes
    notes = re.search(r'<ul id="notes">(.*?)</ul>', client.get(
        url, headers={"Accept-Language": "en"}).get_data(as_text=True), re.S).group(1)
    assert "<li>low-confidence data used: Vanadium slag, V2O5 and vanadium electrolyte " \
           "(indicative cradle-to-gate factors) (steel_vanadium_vanadium_indicative)</li>" in notes
