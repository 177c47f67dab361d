"""Work lists a page at a time (footprint.paging, usecases.submissions.page): a producer's
submissions, the verification and review queues and GET /api/v1/submissions, newest first
by (updated_at, id), 50 a page unless asked.

The platform here: orchard's organisation makes 120 submissions, steelworks' 15, interleaved
(ids alternate while both make them). Orchard's i-th (i = 0..119) is updated at BASE + i // 3
seconds: three to a second, so ties on updated_at are settled by id. Newest first is then
orchard's in the reverse of the order they were made, and pages of 50 hold
    page 1: i = 119 .. 70 (50), page 2: i = 69 .. 20 (50), page 3: i = 19 .. 0 (20);
50 + 50 + 20 = 120. Page 1 ends at i = 70 (second 70 // 3 = 23), and i = 69 (69 // 3 = 23)
opens page 2: the cut falls inside one second, which only the id can settle.
"""
from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta, timezone

import pytest

from footprint import clock
from footprint.errors import InvalidInput
from footprint.paging import Page
from footprint.store import audit, migrations
from footprint.store import submissions as stored
from footprint.usecases import submissions as subs
from footprint.usecases.actions import VERIFY_CHECKLIST, act
from footprint.usecases.tokens import create_token

BASE = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
ORCHARD_MADE = 120
STEELWORKS_MADE = 15
NEXT = re.compile(r'id="next-page" rel="next" href="([^"]+)"')
ROW = re.compile(r'<tr (?:id="submission-|data-submission=")(\d+)"')


def at(monkeypatch, seconds: int) -> None:
    moment = BASE + timedelta(seconds=seconds)
    monkeypatch.setattr(clock, "now", lambda: moment)


@pytest.fixture
def platform(service, monkeypatch, make_bom):
    """Orchard's 120 submissions and steelworks' 15, ids interleaved; returns orchard's ids
    in the order made (i = 0..119) and steelworks' ids."""
    db, people = service.db, service.people
    orchard, steel = people["orchard"], people["steelworks"]
    products = [stored.insert_product(db, orchard["org_id"], {"name": f"orange {n}",
                                                              "category": "generic"})
                for n in range(3)]
    steel_product = stored.insert_product(db, steel["org_id"], {"name": "rail",
                                                                "category": "generic"})
    bom = make_bom()
    mine, theirs = [], []
    for i in range(ORCHARD_MADE):
        at(monkeypatch, i // 3)
        mine.append(stored.insert(db, products[i % 3], orchard["org_id"], bom,
                                  orchard["id"], None))
        if i < STEELWORKS_MADE:
            theirs.append(stored.insert(db, steel_product, steel["org_id"], bom, steel["id"],
                                        None))
    return mine, theirs


def walk(db, user, statuses=(), size=50) -> list[list[int]]:
    """Every page's ids, following each page's cursor to the end."""
    pages, before = [], None
    while True:
        page = subs.page(db, user, statuses, before, size)
        pages.append([row["id"] for row in page.rows])
        if page.next_before is None:
            return pages
        before = page.next_before


@pytest.mark.both_engines
def test_a_producer_walks_every_page_newest_first_and_only_their_own(service, platform):
    mine, theirs = platform
    orchard = service.people["orchard"]
    pages = walk(service.db, orchard)
    assert [len(p) for p in pages] == [50, 50, 20]  # 120 = 50 + 50 + 20
    assert pages[0][0] == mine[119]  # the newest: second 119 // 3 = 39, the largest id in it
    seen = [sid for page in pages for sid in page]
    assert seen == mine[::-1]  # newest first, each once, none left out
    assert pages[1][0] == mine[69]  # the cut inside second 23 (i = 69, 70, 71) by id
    assert not set(seen) & set(theirs)  # steelworks' 15 never shown to orchard
    assert subs.counted(service.db, orchard) == ORCHARD_MADE
    assert walk(service.db, service.people["steelworks"]) == [theirs[::-1]]  # 15: one page


@pytest.mark.both_engines
def test_a_submission_updated_while_paging_moves_to_the_top_and_shifts_nothing(
        service, platform, monkeypatch, make_bom):
    mine, _ = platform
    db, orchard = service.db, service.people["orchard"]
    first = subs.page(db, orchard)
    assert [row["id"] for row in first.rows] == mine[119:69:-1]
    # meanwhile: i = 10 (not yet read, on page 3) and i = 100 (read, on page 1) are updated,
    # and a new submission is made; offset paging would now repeat two rows of page 1 on
    # page 2 and lose i = 10 and one more
    at(monkeypatch, 1000)
    stored.update(db, mine[10], status="submitted")
    at(monkeypatch, 1001)
    stored.update(db, mine[100], status="submitted")
    at(monkeypatch, 1002)
    made = stored.insert(db, stored.get(db, mine[0])["product_id"], orchard["org_id"],
                         make_bom(), orchard["id"], None)
    second = subs.page(db, orchard, before=first.next_before)
    third = subs.page(db, orchard, before=second.next_before)
    assert [row["id"] for row in second.rows] == mine[69:19:-1]  # i = 69 .. 20: 50, as before
    # i = 19 .. 0 without i = 10: 20 - 1 = 19; i = 10 is newer than the cursor now
    assert [row["id"] for row in third.rows] == [mine[i] for i in range(19, -1, -1) if i != 10]
    assert third.next_before is None
    # read again from the top, the updated ones lead, newest first, once each
    again = [sid for page in walk(db, orchard) for sid in page]
    assert again[:3] == [made, mine[100], mine[10]]
    assert sorted(again) == sorted(mine + [made])  # 121, each once


def test_status_filters_page_and_count_their_own(service, platform, monkeypatch):
    mine, _ = platform
    db, orchard = service.db, service.people["orchard"]
    body = service.db.execute("SELECT id FROM organisations WHERE name = ?",
                              ["Sichuan Carbon Verification"]).fetchone()[0]
    for i in range(0, ORCHARD_MADE, 2):  # every other one, 60, submitted to auditor's body
        at(monkeypatch, 500 + i)
        stored.update(db, mine[i], status="submitted", verifier_org_id=body)
    assert subs.counted(db, orchard, ("submitted",)) == 60
    assert subs.counted(db, orchard, ("draft",)) == 60  # 120 - 60
    auditor = service.people["auditor"]
    pages = walk(db, auditor, ("submitted",))
    assert [len(p) for p in pages] == [50, 10]  # 60 = 50 + 10
    assert pages[0][0] == mine[118]  # the last updated: second 500 + 118
    assert walk(db, service.people["auditor2"], ("submitted",)) == [[]]  # another body's


def submit_all(db, body: int, ids, start: int, status: str, monkeypatch) -> None:
    """ids assigned to ``body`` in ``status``, one a second from ``start``, three to a second
    when ``start`` is negative (-start: the first second)."""
    for n, sid in enumerate(ids):
        at(monkeypatch, start + n if start >= 0 else -start + n // 3)
        stored.update(db, sid, status=status, verifier_org_id=body)


@pytest.mark.both_engines
def test_a_queue_walks_every_page_oldest_first(service, platform, monkeypatch):
    """All 120 of orchard's submitted to auditor's body, three to a second (700 + i // 3):
    first come, first served is i = 0 .. 119, pages of 50 + 50 + 20; page 1 ends at i = 49
    (second 716: i = 48, 49, 50), so the cut inside a second is settled by id."""
    mine, _ = platform
    db, auditor = service.db, service.people["auditor"]
    submit_all(db, body_id(db), mine, -700, "submitted", monkeypatch)
    pages, before = [], None
    while True:
        page = subs.page(db, auditor, ("submitted",), before, oldest_first=True)
        pages.append([row["id"] for row in page.rows])
        if page.next_before is None:
            break
        before = page.next_before
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [sid for p in pages for sid in p] == mine  # oldest first, each once
    assert pages[1][0] == mine[50]
    # one updated while the queue is walked goes to its end: i = 10 (read) and i = 60 (not
    # yet read) are sent back and submitted again; nothing else moves, none twice
    first = subs.page(db, auditor, ("submitted",), oldest_first=True)
    submit_all(db, body_id(db), [mine[10], mine[60]], 900, "submitted", monkeypatch)
    second = subs.page(db, auditor, ("submitted",), first.next_before, oldest_first=True)
    third = subs.page(db, auditor, ("submitted",), second.next_before, oldest_first=True)
    assert [row["id"] for row in second.rows] == [mine[i] for i in range(50, 101) if i != 60]
    assert [row["id"] for row in third.rows] == mine[101:] + [mine[10], mine[60]]
    assert third.next_before is None


def body_id(db, name: str = "Sichuan Carbon Verification") -> int:
    return db.execute("SELECT id FROM organisations WHERE name = ?", [name]).fetchone()[0]


def sent_elsewhere(db, people, mine, sichuan: int, chongqing: int, monkeypatch) -> None:
    """i = 118 verified by Chongqing at 990; i = 119 returned by Sichuan at 990 and submitted
    to Chongqing at 1000 (Sichuan handled it, and it is no longer Sichuan's)."""
    at(monkeypatch, 990)
    act(db, people["orchard"], mine[118], "submit", verifier_org=chongqing)
    act(db, people["auditor2"], mine[118], "verify", checklist=VERIFY_CHECKLIST)
    act(db, people["orchard"], mine[119], "submit", verifier_org=sichuan)
    act(db, people["auditor"], mine[119], "return", reason="meter readings missing")
    at(monkeypatch, 1000)
    act(db, people["orchard"], mine[119], "submit", verifier_org=chongqing)


@pytest.mark.both_engines
def test_the_handled_list_pages_newest_first_with_what_was_sent_elsewhere(
        service, platform, monkeypatch):
    """Auditor's body handled i = 0 .. 59 (verified, one a second from 600) and returned
    i = 119, which its producer then sent to Chongqing's body (at 1000): 61 handled, the
    newest first, 50 + 11. Not handled: what awaits it (i = 60 .. 79), what Chongqing's body
    verified (i = 118, never Sichuan's), and drafts."""
    mine, _ = platform
    db, people = service.db, service.people
    sichuan, chongqing = body_id(db), body_id(db, "Chongqing Carbon Audit")
    submit_all(db, sichuan, mine[:60], 600, "verified", monkeypatch)
    submit_all(db, sichuan, mine[60:80], 700, "submitted", monkeypatch)
    sent_elsewhere(db, people, mine, sichuan, chongqing, monkeypatch)
    first = subs.handled(db, people["auditor"])
    assert [row["id"] for row in first.rows] == [mine[119]] + mine[59:10:-1]  # 1 + 49
    second = subs.handled(db, people["auditor"], first.next_before)
    assert [row["id"] for row in second.rows] == mine[10::-1] and second.next_before is None
    # Chongqing's body handled only what it decided: i = 118 (i = 119 awaits it)
    assert [row["id"] for row in subs.handled(db, people["auditor2"]).rows] == [mine[118]]
    assert subs.handled(db, people["orchard"]).rows == []  # a body's list, none else's
    with pytest.raises(InvalidInput) as refused:
        subs.handled(db, people["auditor"], "nonsense", where="handled_before")
    assert [p.where for p in refused.value.problems] == ["handled_before"]


def decide_all(db, reviewer: dict, ids, start: int, action: str, monkeypatch) -> None:
    """The platform's reviewer approves (or returns) each of ``ids``, verified, one a second
    from ``start``, as the audit trail records it."""
    for n, sid in enumerate(ids):
        at(monkeypatch, start + n)
        to_status = "approved" if action == "approve" else "returned"
        stored.update(db, sid, status=to_status)
        audit.record(db, sid, reviewer["id"], action, "verified", to_status,
                     "no meter readings" if action == "return" else None)


@pytest.fixture
def decided(service, platform, monkeypatch):
    """The platform decided on 56 of orchard's: approved i = 0 .. 54 (one a second from
    800) and returned i = 61 (at 900), all verified by Sichuan's body first; i = 55 .. 59
    await review, and Sichuan's body itself returned i = 60 (no decision of the platform's).
    Newest first: i = 61, then i = 54 .. 0, a page of 50 (i = 61, 54 .. 6) and one of 6
    (i = 5 .. 0)."""
    mine, _ = platform
    db, people = service.db, service.people
    submit_all(db, body_id(db), mine[:62], 600, "verified", monkeypatch)
    decide_all(db, people["reviewer"], mine[:55], 800, "approve", monkeypatch)
    at(monkeypatch, 850)
    stored.update(db, mine[60], status="returned")
    audit.record(db, mine[60], people["auditor"]["id"], "return", "submitted", "returned",
                 "unclear")
    decide_all(db, people["reviewer2"], [mine[61]], 900, "return", monkeypatch)
    return mine


@pytest.mark.both_engines
def test_the_platforms_decisions_page_newest_first_and_none_is_left_out(service, decided):
    mine, db, people = decided, service.db, service.people
    first = subs.decided(db, people["reviewer"])
    assert [row["id"] for row in first.rows] == [mine[61]] + mine[54:5:-1]  # 1 + 49
    second = subs.decided(db, people["reviewer"], first.next_before)
    assert [row["id"] for row in second.rows] == mine[5::-1] and second.next_before is None
    # every reviewer reads the platform's decisions, whoever made them
    assert [row["id"] for row in subs.decided(db, people["reviewer2"]).rows] == \
        [row["id"] for row in first.rows]
    for someone in ("auditor", "orchard", "admin"):  # a reviewer's list, none else's
        assert subs.decided(db, people[someone]) == Page([], None), someone
    with pytest.raises(InvalidInput) as refused:
        subs.decided(db, people["reviewer"], "nonsense", where="decided_before")
    assert [p.where for p in refused.value.problems] == ["decided_before"]


DECIDED_NEXT = re.compile(r'id="decided-next-page" rel="next" href="([^"]+)"')


def test_the_reviewer_pages_back_through_the_platforms_decisions(service, decided, clients):
    mine = decided

    def decided_section(url: str, language: str = "en") -> tuple[list[int], str]:
        response = clients["reviewer"].get(url, headers={"Accept-Language": language})
        assert response.status_code == 200, response.status_code
        section = response.get_data(as_text=True).split('<section id="decided">')[1] \
            .split("</section>")[0]
        return [int(n) for n in ROW.findall(section)], section

    shown, section = decided_section("/reviewer/")
    assert shown == [mine[61]] + mine[54:5:-1]
    decision = re.search(r'<td class="small q-decision"[^>]*>(.*?)</td>', section, re.S)
    assert " ".join(re.sub(r"<[^>]+>", " ", decision.group(1)).split()) == \
        "returned · reviewer2 no meter readings"  # i = 61's, by the reviewer who returned it
    assert section.count("approved · reviewer<") == 49
    older = DECIDED_NEXT.search(section).group(1).replace("&amp;", "&")
    assert "decided_before=" in older and older.endswith("#decided")
    shown, section = decided_section(older)
    assert shown == mine[5::-1]
    assert DECIDED_NEXT.search(section) is None and ">First page</a>" in section
    _, section = decided_section("/reviewer/", "zh")
    assert "平台的决定" in section and "更早的见后续页面" in section
    refused = clients["reviewer"].get("/reviewer/?decided_before=nonsense",
                                      headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    assert "decided_before" in refused.get_data(as_text=True)


@pytest.mark.both_engines
def test_migration_24_finds_the_bodies_a_submission_was_sent_away_from(service, platform):
    """On a platform that re-routed before the table existed, the migration fills it from
    the audit trail: i = 0 returned by Sichuan's body and sent to Chongqing's (Sichuan's
    row); i = 1 returned by Sichuan's and sent to it again (none); i = 2 verified by
    Chongqing's, still there (none)."""
    mine, _ = platform
    db, people = service.db, service.people
    sichuan, chongqing = body_id(db), body_id(db, "Chongqing Carbon Audit")
    for sid, to in ((mine[0], chongqing), (mine[1], sichuan)):
        act(db, people["orchard"], sid, "submit", verifier_org=sichuan)
        act(db, people["auditor"], sid, "return", reason="unclear")
        act(db, people["orchard"], sid, "submit", verifier_org=to)
    act(db, people["orchard"], mine[2], "submit", verifier_org=chongqing)
    act(db, people["auditor2"], mine[2], "verify", checklist=VERIFY_CHECKLIST)
    written = db.execute("SELECT org_id, submission_id FROM former_bodies").fetchall()
    assert [tuple(row) for row in written] == [(sichuan, mine[0])]  # by the submit
    db.execute("DROP TABLE former_bodies")
    migrations.former_bodies(db)
    assert [tuple(row) for row in db.execute(
        "SELECT org_id, submission_id FROM former_bodies").fetchall()] == [(sichuan, mine[0])]


@pytest.mark.both_engines
def test_a_producers_products_with_their_newest_submission_and_count(service, platform):
    mine, _ = platform
    db, orchard = service.db, service.people["orchard"]
    # i % 3 names the product: 120 / 3 = 40 each; all three were last updated in second
    # 39 (i = 117, 118, 119), a tie settled by the product's id, newest product first
    listed = subs.products(db, orchard)
    assert [(row["id"], row["submissions"]) for row in listed] == \
        [(mine[119], 40), (mine[118], 40), (mine[117], 40)]
    assert [row["id"] for row in subs.products(db, orchard, 2)] == [mine[119], mine[118]]
    assert subs.product_count(db, orchard) == 3
    assert subs.products(db, service.people["auditor"]) == []  # a producer's only


@pytest.mark.parametrize("cursor", [
    "not a cursor", "x" * 121, base64.urlsafe_b64encode(b"yesterday 12").decode(),
    base64.urlsafe_b64encode(b"2026-03-01T08:00:00+00:00 0").decode(),
    base64.urlsafe_b64encode(b"2026-03-01T08:00:00+00:00 -3").decode(),
    base64.urlsafe_b64encode(b"\xff\xfe").decode()])
def test_a_cursor_no_page_gave_is_refused_at_before(service, cursor):
    with pytest.raises(InvalidInput) as refused:
        subs.page(service.db, service.people["orchard"], before=cursor)
    assert [p.where for p in refused.value.problems] == ["before"]


def instructions(db, read) -> int:
    """How much work ``read`` made SQLite do: its virtual machine instructions, counted in
    hundreds (not time, which a shared machine makes noisy)."""
    done = [0]

    def tick():
        done[0] += 1
        return 0
    db.conn.set_progress_handler(tick, 100)
    try:
        read()
    finally:
        db.conn.set_progress_handler(None, 100)
    return done[0]


def test_the_page_reads_the_same_work_however_long_the_list(service, platform, monkeypatch,
                                                            make_bom):
    """Measured in SQLite's virtual machine instructions (not time): a page of 50 costs the
    same with 120 of orchard's submissions as with 1,120; reading the whole list (what the
    pages did before) grows with it, which shows the measure can tell."""
    db, orchard = service.db, service.people["orchard"]

    def reads():
        first = subs.page(db, orchard)
        return (instructions(db, lambda: subs.page(db, orchard)),
                instructions(db, lambda: subs.page(db, orchard, before=first.next_before)),
                instructions(db, lambda: subs.visible(db, orchard)))
    small = reads()
    product = stored.get(db, platform[0][0])["product_id"]
    for i in range(1000):  # older than all 120: the pages above do not change
        at(monkeypatch, -1 - i)
        stored.insert(db, product, orchard["org_id"], make_bom(), orchard["id"], None)
    large = reads()
    assert large[0] <= small[0] * 1.2 and large[1] <= small[1] * 1.2, (small, large)
    assert large[2] > small[2] * 5, (small, large)  # the whole list: 1,120 / 120 = 9.3 x


# -- the pages -----------------------------------------------------------------------------

def follow(client, url: str, lang: str = "en") -> tuple[list[int], str | None, str]:
    response = client.get(url, headers={"Accept-Language": lang})
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    found = NEXT.search(text)
    return ([int(n) for n in ROW.findall(text)],
            found.group(1).replace("&amp;", "&") if found else None, text)


def test_the_producer_index_shows_a_page_and_links_the_next(service, platform, clients):
    mine, theirs = platform
    client = clients["orchard"]
    rows, next_url, text = follow(client, "/producer/")
    assert rows == mine[119:69:-1]  # the 50 newest
    assert "Submissions (120)" in text  # a COUNT, not the 50 rows shown
    assert "Products (3)" in text  # orange 0, 1 and 2
    assert "First page" not in text
    seen = list(rows)
    while next_url:
        rows, next_url, text = follow(client, next_url)
        seen += rows
        assert "First page" in text
    assert seen == mine[::-1] and not set(seen) & set(theirs)
    _rows, _next, chinese = follow(client, "/producer/", "zh")
    assert "下一页" in chinese and "申报 (120)" in chinese


def test_a_bad_cursor_is_a_400_saying_where_in_both_languages(service, clients):
    client = clients["orchard"]
    english = client.get("/producer/?before=nonsense", headers={"Accept-Language": "en"})
    assert english.status_code == 400
    text = english.get_data(as_text=True)
    assert "before" in text and "must be the cursor a page of this list gave" in text
    chinese = client.get("/producer/?before=nonsense", headers={"Accept-Language": "zh"})
    assert chinese.status_code == 400
    assert "须为本列表某一页给出的游标" in chinese.get_data(as_text=True)
    assert clients["auditor"].get("/verifier/?before=nonsense").status_code == 400
    assert clients["reviewer"].get("/reviewer/?before=nonsense").status_code == 400


def test_the_queues_page_what_awaits_and_count_it(service, platform, clients, monkeypatch):
    mine, _ = platform
    db = service.db
    body = db.execute("SELECT id FROM organisations WHERE name = ?",
                      ["Sichuan Carbon Verification"]).fetchone()[0]
    for i in range(60):  # i = 0..59 submitted to auditor's body, 60..114 verified by it
        at(monkeypatch, 600 + i)
        stored.update(db, mine[i], status="submitted", verifier_org_id=body)
    for i in range(60, 115):
        at(monkeypatch, 600 + i)
        stored.update(db, mine[i], status="verified", verifier_org_id=body)
    # a work queue is first come, first served: the longest waiting on top
    rows, next_url, text = follow(clients["auditor"], "/verifier/")
    assert "Awaiting verification (60)" in text and "The longest waiting first." in text
    queue = [n for n in rows if n in mine[:60]]
    assert queue == mine[:50]  # submitted at 600 .. 649, the first 50 to come
    rows, next_url, text = follow(clients["auditor"], next_url)
    assert [n for n in rows if n in mine[:60]] == mine[50:60]  # the other 10
    assert next_url is None
    rows, next_url, text = follow(clients["reviewer"], "/reviewer/")
    assert "Awaiting review (55)" in text  # 115 - 60
    assert "In verification (60)" in text
    queue = text.split('id="queue"')[1].split("</section>")[0]
    assert [int(n) for n in ROW.findall(queue)] == mine[60:110]  # 50 of the 55, oldest first
    rows, next_url, text = follow(clients["reviewer"], next_url)
    queue = text.split('id="queue"')[1].split("</section>")[0]
    assert [int(n) for n in ROW.findall(queue)] == mine[110:115]  # the other 5
    assert next_url is None
    # what is in verification is not the reviewer's to act on: the newest first, as before
    in_verification = text.split('id="in-verification"')[1]
    assert [int(n) for n in ROW.findall(in_verification)] == mine[59:9:-1]


HANDLED_NEXT = re.compile(r'id="handled-next-page" rel="next" href="([^"]+)"')


def sections(client, url: str) -> tuple[list[int], list[int], dict[str, str | None]]:
    """The ids in the verifier's queue and handled list, and each list's links."""
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    queue, handled = text.split('<section id="handled">')
    links = {"queue": NEXT.search(queue), "handled": HANDLED_NEXT.search(handled)}
    firsts = re.findall(r'<a href="([^"]+)">First page</a>', text)
    return ([int(n) for n in ROW.findall(queue)], [int(n) for n in ROW.findall(handled)],
            {**{k: v.group(1).replace("&amp;", "&") if v else None for k, v in links.items()},
             "firsts": [f.replace("&amp;", "&") for f in firsts]})


def test_the_handled_list_pages_on_its_own_cursor(service, platform, clients, monkeypatch):
    """Sichuan's body: 55 waiting (i = 60 .. 114, submitted from 700) and 61 handled (i = 0 ..
    59 verified from 600, and i = 119 it returned that went to Chongqing at 1000). Each list
    is paged by its own link, and the other stays on its page."""
    mine, _ = platform
    db, people = service.db, service.people
    sichuan, chongqing = body_id(db), body_id(db, "Chongqing Carbon Audit")
    submit_all(db, sichuan, mine[:60], 600, "verified", monkeypatch)
    submit_all(db, sichuan, mine[60:115], 700, "submitted", monkeypatch)
    at(monkeypatch, 990)
    act(db, people["orchard"], mine[119], "submit", verifier_org=sichuan)
    act(db, people["auditor"], mine[119], "return", reason="meter readings missing")
    at(monkeypatch, 1000)
    act(db, people["orchard"], mine[119], "submit", verifier_org=chongqing)
    client = clients["auditor"]
    queue, handled, links = sections(client, "/verifier/")
    assert queue == mine[60:110] and handled == [mine[119]] + mine[59:10:-1]
    assert links["firsts"] == []
    assert links["handled"] and "handled_before=" in links["handled"]
    assert links["handled"].endswith("#handled")
    # the queue's next page: the handled list stays on its first
    queue, handled, links = sections(client, links["queue"])
    assert queue == mine[110:115] and handled == [mine[119]] + mine[59:10:-1]
    # then the handled list's: the queue stays on its second, both cursors in the link
    assert "before=" in links["handled"].replace("handled_before=", "")
    queue, handled, links = sections(client, links["handled"])
    assert queue == mine[110:115] and handled == mine[10::-1]
    assert links["queue"] is None and links["handled"] is None
    # each list's way back to its first page keeps the other's
    back_to_queue, back_to_handled = links["firsts"]
    queue, handled, _ = sections(client, back_to_queue)
    assert queue == mine[60:110] and handled == mine[10::-1]
    queue, handled, _ = sections(client, back_to_handled)
    assert queue == mine[110:115] and handled[0] == mine[119]
    refused = client.get("/verifier/?handled_before=nonsense",
                         headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    assert "handled_before" in refused.get_data(as_text=True)


def test_a_queue_page_reads_the_same_work_however_long_the_queue(service, platform,
                                                                 monkeypatch, make_bom):
    """Oldest first too, a queue's page walks its index (migration 23's by body, status and
    update time, read in the other direction): 60 or 560 submitted, a page costs the same;
    and so does the body's handled list beside it, 60 or 560 (the index by body and status,
    and the few submissions sent elsewhere, migration 24)."""
    mine, _ = platform
    db, people = service.db, service.people
    auditor, sichuan = people["auditor"], body_id(db)
    submit_all(db, sichuan, mine[:60], 600, "submitted", monkeypatch)
    submit_all(db, sichuan, mine[60:], 700, "verified", monkeypatch)  # 60 handled

    def reads():
        return (instructions(db, lambda: subs.page(db, auditor, ("submitted",),
                                                   oldest_first=True)),
                instructions(db, lambda: subs.handled(db, auditor)))
    small = reads()
    product = stored.get(db, mine[0])["product_id"]
    for i in range(1000):  # newer than all 60 waiting: they join the queue's end
        at(monkeypatch, 800 + i)
        sid = stored.insert(db, product, people["orchard"]["org_id"], make_bom(),
                            people["orchard"]["id"], None)
        stored.update(db, sid, status="submitted" if i % 2 else "verified",
                      verifier_org_id=sichuan)
    large = reads()
    assert large[0] <= small[0] * 1.2 and large[1] <= small[1] * 1.2, (small, large)
    # and reading the whole queue grows with it, which shows the measure can tell
    assert instructions(db, lambda: subs.visible(db, auditor, ("submitted",))) > small[0] * 5


# -- the API -------------------------------------------------------------------------------

@pytest.mark.both_engines
def test_the_api_pages_by_limit_and_before(service, platform):
    mine, theirs = platform
    client = service.app.test_client()
    headers = {"Authorization": "Bearer " + create_token(service.db, "orchard", "test")}
    seen, url, sizes = [], "/api/v1/submissions?limit=45", []
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200
        body = answer.get_json()
        sizes.append(len(body["submissions"]))
        seen += [s["id"] for s in body["submissions"]]
        url = (f"/api/v1/submissions?limit=45&before={body['next_before']}"
               if body["next_before"] else None)
    assert sizes == [45, 45, 30]  # 120 = 45 + 45 + 30
    assert seen == mine[::-1] and not set(seen) & set(theirs)
    default = client.get("/api/v1/submissions", headers=headers).get_json()
    assert [s["id"] for s in default["submissions"]] == mine[119:69:-1]  # 50 by default
    whole = client.get("/api/v1/submissions?limit=200", headers=headers).get_json()
    assert len(whole["submissions"]) == 120 and whole["next_before"] is None
    for query, where in [("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"),
                         ("before=nonsense", "before"), ("before=", "before")]:
        refused = client.get(f"/api/v1/submissions?{query}", headers=headers)
        assert refused.status_code == 400, query
        assert [p["where"] for p in refused.get_json()["problems"]] == [where], query


@pytest.mark.both_engines
def test_the_api_lists_what_a_body_decided_on_before_it_went_elsewhere(service, platform,
                                                                       monkeypatch):
    """As the handled list on the web: Sichuan's body verified i = 0 .. 59 (from 600) and
    returned i = 119, which its producer then sent to Chongqing's body (at 1000); Chongqing's
    verified i = 118. Sichuan's token lists 61, i = 119 first and marked as sent to another
    body, pages of 45 + 16; Chongqing's lists i = 119 (now its own) and i = 118."""
    mine, _ = platform
    db, people = service.db, service.people
    sichuan, chongqing = body_id(db), body_id(db, "Chongqing Carbon Audit")
    submit_all(db, sichuan, mine[:60], 600, "verified", monkeypatch)
    sent_elsewhere(db, people, mine, sichuan, chongqing, monkeypatch)
    client = service.app.test_client()

    def listed(who: str, query: str) -> tuple[list[tuple[int, str, bool]], str | None]:
        headers = {"Authorization": "Bearer " + create_token(db, who, "test")}
        answer = client.get(f"/api/v1/submissions?{query}", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        return ([(s["id"], s["status"], s["sent_to_another_body"])
                 for s in body["submissions"]], body["next_before"])

    first, cursor = listed("auditor", "limit=45")
    assert first == [(mine[119], "submitted", True)] + \
        [(sid, "verified", False) for sid in mine[59:15:-1]]  # 1 + 44
    second, cursor = listed("auditor", f"limit=45&before={cursor}")
    assert second == [(sid, "verified", False) for sid in mine[15::-1]] and cursor is None
    assert listed("auditor", "status=submitted") == ([(mine[119], "submitted", True)], None)
    assert listed("auditor", "status=returned") == ([], None)
    assert [sid for sid, _, _ in listed("auditor", "status=verified&limit=100")[0]] == \
        mine[59::-1]
    assert listed("auditor2", "limit=45") == ([(mine[119], "submitted", False),
                                               (mine[118], "verified", False)], None)


# -- a producer's products, a page at a time ------------------------------------------------
#
# The audit's organisation: 54 products, each with one submission. Product i (i = 0..53) is
# made and updated at second i // 3, three to a second, so ties on the time are settled by the
# product's id (made in order: the larger i, the larger id). Most recently updated first:
#     page 1: i = 53 .. 4 (50), page 2: i = 3 .. 0 (4); 50 + 4 = 54.
# i = 4 and i = 3 both fall in second 1: the cut is inside one second, settled by the id.
# Product 0, the oldest, is the one whose label the co-operative had issued.

PRODUCTS_MADE = 54
PRODUCT_ROW = re.compile(r'<tr id="product-(\d+)"')
NEXT_PRODUCTS = re.compile(r'id="next-products" rel="next" href="([^"]+)"')


@pytest.fixture
def catalogue(service, monkeypatch, make_bom):
    """Orchard's 54 products, one submission each; returns their product ids (i = 0..53)."""
    db, orchard = service.db, service.people["orchard"]
    ids = []
    for i in range(PRODUCTS_MADE):
        at(monkeypatch, i // 3)
        product = stored.insert_product(db, orchard["org_id"],
                                        {"name": f"product {i}", "category": "generic"})
        stored.insert(db, product, orchard["org_id"], make_bom(), orchard["id"], None)
        ids.append(product)
    return ids


@pytest.mark.both_engines
def test_a_producers_products_page_and_none_is_left_out(service, catalogue, monkeypatch,
                                                        make_bom):
    db, orchard = service.db, service.people["orchard"]
    first = subs.products_page(db, orchard)
    assert [row["product_id"] for row in first.rows] == catalogue[53:3:-1]  # i = 53 .. 4
    second = subs.products_page(db, orchard, before=first.next_before)
    assert [row["product_id"] for row in second.rows] == catalogue[3::-1]  # i = 3 .. 0
    assert second.next_before is None and catalogue[0] in [r["product_id"] for r in second.rows]
    assert subs.product_count(db, orchard) == PRODUCTS_MADE
    # product 1 (on page 2) gets a new submission after page 1 was read: it moves to the top
    # and page 2 holds the rest, none shown twice
    at(monkeypatch, 1000)
    stored.insert(db, catalogue[1], orchard["org_id"], make_bom(), orchard["id"], None)
    again = subs.products_page(db, orchard, before=first.next_before)
    assert [row["product_id"] for row in again.rows] == [catalogue[3], catalogue[2],
                                                         catalogue[0]]
    top = subs.products_page(db, orchard).rows[0]
    assert (top["product_id"], top["submissions"]) == (catalogue[1], 2)
    assert subs.products_page(db, service.people["steelworks"]).rows == []  # not theirs
    assert subs.products_page(db, service.people["auditor"]).rows == []


def test_the_producer_index_pages_its_products_with_their_own_cursor(service, catalogue,
                                                                     clients):
    client = clients["orchard"]
    response = client.get("/producer/", headers={"Accept-Language": "zh"})
    text = response.get_data(as_text=True)
    assert "产品 (54)" in text and "最近更新的排在前面。" in text
    assert [int(n) for n in PRODUCT_ROW.findall(text)] == catalogue[53:3:-1]
    assert "显示最近更新的" not in text
    onward = NEXT_PRODUCTS.search(text).group(1).replace("&amp;", "&")
    assert "products_before=" in onward
    second = client.get(onward, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert [int(n) for n in PRODUCT_ROW.findall(second)] == catalogue[3::-1]
    assert "Products (54)" in second and "First page" in second
    assert not NEXT_PRODUCTS.search(second)
    # the submissions list is where it was: its first page, the 50 newest of 54
    assert len(ROW.findall(second)) == 50 and "Submissions (54)" in second


def test_each_list_of_the_producer_index_keeps_the_others_page(service, platform, catalogue,
                                                               clients):
    """120 + 54 submissions (three pages) and 3 + 54 products (two pages): following one
    list's link keeps the other list's cursor."""
    client = clients["orchard"]
    _rows, next_submissions, text = follow(client, "/producer/")
    onward = NEXT_PRODUCTS.search(text).group(1).replace("&amp;", "&")
    _rows, _next, both = follow(client, onward)
    link = NEXT.search(both).group(1).replace("&amp;", "&")
    assert "products_before=" in link and "before=" in link.replace("products_before=", "")
    _rows, _next, later = follow(client, link)
    assert [int(n) for n in PRODUCT_ROW.findall(later)] == \
        [int(n) for n in PRODUCT_ROW.findall(both)]  # products: still their page 2


def test_a_bad_products_cursor_is_a_400_at_products_before(service, clients):
    client = clients["orchard"]
    english = client.get("/producer/?products_before=nonsense",
                         headers={"Accept-Language": "en"})
    assert english.status_code == 400
    text = english.get_data(as_text=True)
    assert "products_before" in text and "must be the cursor a page of this list gave" in text
    chinese = client.get("/producer/?products_before=nonsense",
                         headers={"Accept-Language": "zh"})
    assert chinese.status_code == 400
    assert "须为本列表某一页给出的游标" in chinese.get_data(as_text=True)
