"""The submission page as a certifier reads it, and the queues, in headless Chromium at a
desktop's 1280x800 and a phone's 390x844: the Pujiang orange submission (the demo's farm-gate
BOM) fits in under 3,000 px on a desktop (it was 10,535), nothing scrolls sideways on a
phone, no table cell is narrower than its longest word, and a queue's rows are cards on a
phone whose product name takes the card's width (it wrapped three characters a line)."""
from __future__ import annotations

import pytest

from footprint.usecases import actions
from footprint.usecases import submissions as subs
from footprint.usecases.demo import sample
from tests.test_browser import browser, live_server, log_in  # noqa: F401 (fixtures)

DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}

# Each visible cell's longest word (Chromium's word segmenter, so a Chinese name may break
# between its words but not inside one) against the cell's width inside its padding.
NARROW_CELLS = """() => {
  const segmenter = new Intl.Segmenter(document.documentElement.lang || 'zh',
                                       {granularity: 'word'});
  const narrow = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const box = cell.getBoundingClientRect();
    if (!cell.offsetParent || box.width <= 1) continue;
    const style = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const token of (cell.innerText || '').split(/\\s+/).filter(Boolean)) {
      for (const piece of segmenter.segment(token)) {
        if (!piece.isWordLike) continue;
        const probe = document.createElement('span');
        probe.style.whiteSpace = 'nowrap';
        probe.textContent = piece.segment;
        cell.appendChild(probe);
        const width = probe.getBoundingClientRect().width;
        probe.remove();
        if (width > inner + 1) narrow.push(`${piece.segment}: ${Math.round(width)} > ${Math.round(inner)}`);
      }
    }
  }
  return narrow;
}"""


@pytest.fixture
def oranges(service):
    """The farm-gate orange BOM submitted to the Sichuan body by the orchard."""
    engine = service.app.extensions["footprint_engine"]
    sub, _ = subs.create_submission(service.db, engine, service.people["orchard"],
                                    sample("oranges_pujiang_farm_gate"))
    actions.act(service.db, service.people["orchard"], sub["id"], "submit",
                verifier_org="Sichuan Carbon Verification")
    return sub["id"]


def open_as(browser, base, user, path, viewport, language):
    page = log_in(browser, base, user)
    page.set_viewport_size(viewport)
    page.goto(f"{base}/lang/{language}")
    page.goto(f"{base}{path}")
    return page


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_orange_worksheet_fits_a_desktop_and_a_phone(live_server, browser, oranges,
                                                         language):
    page = open_as(browser, live_server, "auditor", f"/submissions/{oranges}", DESKTOP,
                   language)
    lines = page.locator("#by-input tbody.line")
    assert lines.count() >= 13
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height
    assert page.evaluate(NARROW_CELLS) == []
    # the decision comes after the data: the checklist below the last line
    last_line = lines.nth(lines.count() - 1).bounding_box()
    assert page.locator("#checklist").bounding_box()["y"] > last_line["y"]

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(NARROW_CELLS) == []
    # a line is a card: its name spans the card, its numbers side by side below it
    card = lines.first.bounding_box()
    name = lines.first.locator(".input-cell").bounding_box()
    assert name["width"] > card["width"] * 0.8
    amount, kg = lines.first.locator("td.num").nth(1), lines.first.locator("td.kg")
    assert amount.bounding_box()["y"] == kg.bounding_box()["y"]


@pytest.mark.parametrize("user, path", [("auditor", "/verifier/"), ("reviewer", "/reviewer/"),
                                        ("orchard", "/producer/")])
def test_queues_are_cards_on_a_phone_and_tables_on_a_desktop(live_server, browser, service,
                                                              oranges, user, path):
    if user == "reviewer":  # the reviewer's queue holds what a body verified
        actions.act(service.db, service.people["auditor"], oranges, "verify",
                    checklist=actions.VERIFY_CHECKLIST)
    page = open_as(browser, live_server, user, path, PHONE, "zh")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(NARROW_CELLS) == []
    row = page.locator(f"table.queue tr[data-submission='{oranges}'], "
                       f"table.queue tr#submission-{oranges}").first
    card, product = row.bounding_box(), row.locator("td.q-product").bounding_box()
    assert product["width"] > card["width"] * 0.8  # the name has the card's width
    assert product["y"] <= row.locator("td.q-status").bounding_box()["y"]  # the name on top
    line_height = float(row.locator("td.q-product").evaluate(
        "cell => parseFloat(getComputedStyle(cell).lineHeight)"))
    assert product["height"] < 3 * line_height  # 蒲江柑橘... on at most two lines

    page.set_viewport_size(DESKTOP)
    assert page.locator("table.queue thead").first.is_visible()
    cells = row.locator("td")
    assert cells.nth(0).bounding_box()["y"] == cells.nth(2).bounding_box()["y"]  # one row
    assert page.evaluate(NARROW_CELLS) == []
