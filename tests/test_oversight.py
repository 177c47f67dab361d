"""A regulator's read-only lists of the whole platform (footprint.usecases.oversight,
web/oversight.py): every submission a page at a time, newest first, by status and by
organisation, and every producer, accounting body and bank with its counts; for regulators
and administrators only (403 for everyone else), with no form that writes.

The platform here (the clock at BASE + t seconds, 04:00 UTC on 1 March 2027, after the issuer key was made):
    t=1 a: orchard's "navel orange", 100 kWh Sichuan 2022 per 1 kg (x 0.1404 = 14.04,
           shown 14.0), submitted to Sichuan Carbon Verification at t=3
    t=2 b: steelworks' "vanadium steel", 1000 kWh per 1 t (140.4, shown 140), a draft
    t=4 c: steelworks' "rail", 200 kWh per 1 kg (28.08, shown 28.1), submitted to Chongqing
           Carbon Audit at t=5
    t=6 d: orchard's "dried orange", 50 kWh per 1 kg (7.02), submitted to Sichuan, verified
           and approved: its label issued
Newest first: d (t=6), c (t=5), a (t=3), b (t=2). Orchard consents to the bank.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest

from footprint import clock
from footprint.errors import Forbidden, InvalidInput
from footprint.store import accounts as store_accounts
from footprint.store import submissions as stored
from footprint.usecases import actions, consents, oversight
from footprint.usecases import submissions as subs
from footprint.usecases.users import seed_user
from tests.conftest import PASSWORD

BASE = datetime(2027, 3, 1, 4, 0, tzinfo=timezone.utc)
ROW = re.compile(r'<tr data-submission="(\d+)">(.*?)</tr>', re.S)
ORG_ROW = re.compile(r'<tr data-org="(\d+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
NEXT = re.compile(r'id="next-page" rel="next" href="([^"]+)"')
POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.I)


def at(monkeypatch, seconds: int) -> None:
    moment = BASE + timedelta(seconds=seconds)
    monkeypatch.setattr(clock, "now", lambda: moment)


def org_id(db, name: str) -> int:
    return next(db.query("SELECT id FROM organisations WHERE name = ?", [name]))["id"]


def cells(html: str) -> list[str]:
    """A row's cells as text: tags dropped, spaces squeezed."""
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in CELL.findall(html)]


def rows(page) -> dict[int, list[str]]:
    """The submission rows of a page, in order: id -> cells."""
    return {int(sid): cells(row) for sid, row in ROW.findall(page.get_data(as_text=True))}


@pytest.fixture
def platform(service, monkeypatch, make_bom, approve, issuer):
    db, people = service.db, service.people
    engine = service.app.extensions["footprint_engine"]
    people["inspector"] = seed_user(db, "inspector", "regulator", "Sichuan Ecology Bureau",
                                    PASSWORD)
    people["lender"] = seed_user(db, "lender", "bank", "Chengdu Rural Bank", PASSWORD)
    db["organisations"].update(people["orchard"]["org_id"], {"region": "CN-SC"})

    def made(t, who, name, kwh, unit="kg"):
        at(monkeypatch, t)
        bom = make_bom(product={"name": name, "category": "generic"},
                       declared_unit={"amount": 1, "unit": unit},
                       lines=[{"input": "electricity", "amount": kwh, "unit": "kWh",
                               "stage": "production"}])
        return subs.create_submission(db, engine, people[who], bom)[0]["id"]

    def submit(t, who, sid, body):
        at(monkeypatch, t)
        actions.act(db, people[who], sid, "submit", verifier_org=body)

    a = made(1, "orchard", "navel orange", 100)
    b = made(2, "steelworks", "vanadium steel", 1000, "t")
    submit(3, "orchard", a, "Sichuan Carbon Verification")
    c = made(4, "steelworks", "rail", 200)
    submit(5, "steelworks", c, "Chongqing Carbon Audit")
    at(monkeypatch, 6)
    d = approve(make_bom(product={"name": "dried orange", "category": "generic"},
                         lines=[{"input": "electricity", "amount": 50, "unit": "kWh",
                                 "stage": "production"}]), issuer)["id"]
    consents.grant(db, people["orchard"]["org_id"], "Chengdu Rural Bank")
    return dict(a=a, b=b, c=c, d=d)


def test_a_regulator_reads_every_submission_newest_first(service, platform, login):
    client = login(service.app.test_client(), "inspector")
    client.set_cookie("lang", "en")
    page = client.get("/supervision/submissions")
    assert page.status_code == 200
    p = platform
    assert rows(page) == {
        p["d"]: [f"#{p['d']}", "dried orange", "Pujiang Orchard Co-op",
                 "Sichuan Carbon Verification", "issued", "7.02 kg CO₂e per 1 kg",
                 "2027-03-01 12:00 (UTC+8)"],
        p["c"]: [f"#{p['c']}", "rail", "Panzhihua Steel", "Chongqing Carbon Audit",
                 "submitted", "28.1 kg CO₂e per 1 kg", "2027-03-01 12:00 (UTC+8)"],
        p["a"]: [f"#{p['a']}", "navel orange", "Pujiang Orchard Co-op",
                 "Sichuan Carbon Verification", "submitted", "14.0 kg CO₂e per 1 kg",
                 "2027-03-01 12:00 (UTC+8)"],
        p["b"]: [f"#{p['b']}", "vanadium steel", "Panzhihua Steel", "not yet assigned",
                 "draft", "140 kg CO₂e per 1 t", "2027-03-01 12:00 (UTC+8)"]}
    text = page.get_data(as_text=True)
    assert list(rows(page)) == [p["d"], p["c"], p["a"], p["b"]]
    assert '<span id="submission-count">(4)</span>' in text
    # each row leads to the submission's own page, which the regulator may read
    for sid in p.values():
        assert f'href="/submissions/{sid}"' in text
        assert client.get(f"/submissions/{sid}").status_code == 200
    # reachable from the navigation, both lists
    assert 'href="/supervision/submissions"' in text
    assert 'href="/supervision/organisations"' in text
    assert "next-page" not in text  # four rows: one page


@pytest.mark.parametrize("query, expected, heading", [
    ("status=submitted", ["c", "a"], "Matching submissions"),
    ("status=draft", ["b"], "Matching submissions"),
    ("org=Panzhihua Steel", ["c", "b"], "Of Panzhihua Steel"),
    # an accounting body: the submissions assigned to it
    ("org=Sichuan Carbon Verification", ["d", "a"], "Assigned to Sichuan Carbon Verification"),
    ("org=Pujiang Orchard Co-op&status=submitted", ["a"], "Of Pujiang Orchard Co-op"),
    ("status=revoked", [], "Matching submissions"),
])
def test_the_list_filters_by_status_and_organisation(service, platform, login, query,
                                                     expected, heading):
    client = login(service.app.test_client(), "inspector")
    client.set_cookie("lang", "en")
    # an organisation by its number, as the filter's select sends it
    query = re.sub(r"org=([^&]+)", lambda m: f"org={org_id(service.db, m[1])}", query)
    page = client.get(f"/supervision/submissions?{query}")
    assert page.status_code == 200
    assert list(rows(page)) == [platform[key] for key in expected]
    text = page.get_data(as_text=True)
    assert f'{heading} <span id="submission-count">({len(expected)})</span>' in text
    if not expected:
        assert "No submission matches." in text


@pytest.mark.parametrize("query, where, said", [
    ("status=finished", "status", "must be one of draft, submitted"),
    ("org=abc", "org", 'no enterprise or accounting body "abc"'),
    ("org=0", "org", 'no enterprise or accounting body "0"'),
    ("org=99999", "org", 'no enterprise or accounting body "99999"'),
    ("org=Chengdu Rural Bank", "org", "no enterprise or accounting body"),  # a bank: no
    ("before=nonsense", "before", "must be the cursor a page of this list gave"),
])
def test_a_filter_that_names_nothing_is_refused_where_it_is_wrong(service, platform, login,
                                                                  query, where, said):
    client = login(service.app.test_client(), "inspector")
    client.set_cookie("lang", "en")
    query = query.replace("Chengdu Rural Bank",
                          str(org_id(service.db, "Chengdu Rural Bank")))
    page = client.get(f"/supervision/submissions?{query}")
    assert page.status_code == 400
    text = unescape(page.get_data(as_text=True))
    assert where in text and said in text
    with pytest.raises(InvalidInput) as refused:
        oversight.submissions(service.db, service.people["inspector"],
                              dict(part.split("=") for part in [query]))
    assert [p.where for p in refused.value.problems] == [where]


def test_the_list_pages_fifty_at_a_time_and_keeps_its_filter(service, monkeypatch, login):
    """Orchard's 51 submissions (ids i = 0..50, at t = i) and steelworks' 2: filtered to
    orchard, page 1 holds i = 50 .. 1 (50), page 2 i = 0; neither shows steelworks'. Made
    bare (no result): the total says there is none."""
    db, people = service.db, service.people
    seed_user(db, "inspector", "regulator", "Sichuan Ecology Bureau", PASSWORD)
    orchard, steel = people["orchard"], people["steelworks"]
    product = stored.insert_product(db, orchard["org_id"], {"name": "orange",
                                                            "category": "generic"})
    rail = stored.insert_product(db, steel["org_id"], {"name": "rail", "category": "generic"})
    bom = {"product": {"name": "orange", "category": "generic"},
           "declared_unit": {"amount": 1, "unit": "kg"}}
    mine = []
    for i in range(51):
        at(monkeypatch, i)
        mine.append(stored.insert(db, product, orchard["org_id"], bom, orchard["id"], None))
        if i < 2:
            stored.insert(db, rail, steel["org_id"], bom, steel["id"], None)
    client = login(service.app.test_client(), "inspector")
    client.set_cookie("lang", "en")
    first = client.get(f"/supervision/submissions?org={orchard['org_id']}")
    assert list(rows(first)) == mine[:0:-1]  # i = 50 .. 1
    assert rows(first)[mine[50]][5] == "no result"
    text = first.get_data(as_text=True)
    assert '<span id="submission-count">(51)</span>' in text
    after = unescape(NEXT.search(text)[1])
    assert f"org={orchard['org_id']}" in after  # the filter stays on the next page
    second = client.get(after)
    assert list(rows(second)) == [mine[0]]
    assert "next-page" not in second.get_data(as_text=True)
    assert 'First page' in second.get_data(as_text=True)
    # without the filter: 53 in all, steelworks' two oldest among them
    assert '<span id="submission-count">(53)</span>' in \
        client.get("/supervision/submissions").get_data(as_text=True)


def test_organisations_with_their_counts_and_links(service, platform, login):
    db = service.db
    client = login(service.app.test_client(), "inspector")
    client.set_cookie("lang", "en")
    page = client.get("/supervision/organisations")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    orchard, steel = org_id(db, "Pujiang Orchard Co-op"), org_id(db, "Panzhihua Steel")
    sichuan, chongqing = (org_id(db, "Sichuan Carbon Verification"),
                          org_id(db, "Chongqing Carbon Audit"))
    bank = org_id(db, "Chengdu Rural Bank")
    found = {int(oid): (cells(row), row) for oid, row in ORG_ROW.findall(text)}
    # name, region, submissions (own, or assigned to a body), labels, links
    assert found[orchard][0] == ["Pujiang Orchard Co-op", "Sichuan", "2", "1",
                                 "Record a finding"]
    assert found[steel][0] == ["Panzhihua Steel", "not recorded", "2", "0", "Record a finding"]
    assert found[sichuan][0] == ["Sichuan Carbon Verification", "not recorded", "2", "1",
                                 "Qualifications Record a finding"]
    assert found[chongqing][0] == ["Chongqing Carbon Audit", "not recorded", "1", "0",
                                   "Qualifications Record a finding"]
    assert found[bank][0] == ["Chengdu Rural Bank", "not recorded", "1"]  # consenting: orchard
    # only producers, accounting bodies and banks: not the platform, not the regulator
    assert set(found) == {orchard, steel, sichuan, chongqing, bank}
    for oid in (orchard, steel, sichuan, chongqing):
        assert f'href="/supervision/submissions?org={oid}"' in found[oid][1]
        assert f'href="/supervision/findings/new?subject={oid}"' in found[oid][1]
    for oid in (sichuan, chongqing):
        assert f'href="/supervision/qualifications?org={oid}"' in found[oid][1]
    assert "findings/new" not in found[bank][1] and "submissions?" not in found[bank][1]
    assert [m for m in re.findall(r'<section id="(\w+)">', text)] == \
        ["enterprise", "accounting_body", "bank"]
    assert POST_FORM.findall(text) == ['<form method="post" action="/logout" class="inline">']

    # the links lead where they say: the finding's form with its subject chosen ...
    form = client.get(f"/supervision/findings/new?subject={steel}").get_data(as_text=True)
    assert re.search(rf'<option value="{steel}" selected>Panzhihua Steel', form)
    assert len(re.findall(r"<option [^>]*selected", form)) == 1
    # ... one body's qualifications (tests/conftest.py qualifies each as TEST-<its name>)
    quals = client.get(f"/supervision/qualifications?org={chongqing}")
    assert quals.status_code == 200
    shown = quals.get_data(as_text=True)
    assert "Qualifications of Chongqing Carbon Audit" in shown
    assert "TEST-Chongqing Carbon Audit" in shown
    assert "TEST-Sichuan Carbon Verification" not in shown
    refused = client.get(f"/supervision/qualifications?org={orchard}")
    assert refused.status_code == 400
    assert f'no accounting body "{orchard}"' in unescape(refused.get_data(as_text=True))


def org_rows(page) -> dict[int, list[str]]:
    """The organisation rows of a page, in order: id -> cells."""
    return {int(oid): cells(row) for oid, row in ORG_ROW.findall(page.get_data(as_text=True))}


@pytest.mark.both_engines
def test_organisations_are_paged_by_name_each_kind_on_its_own_cursor(service, platform,
                                                                       login):
    """49 more producers, "Producer 01" .. "Producer 49": 51 in all, by name
    "Panzhihua Steel" < "Producer 01" < ... < "Producer 49" < "Pujiang Orchard Co-op"
    ("a" < "r" < "u"), so page 1 holds Panzhihua and the 49 (50, a page) and page 2 only
    Pujiang, with its counts; the two bodies and the bank fit one page each."""
    db = service.db
    made = [store_accounts.insert_organisation(db, f"Producer {n:02d}", "enterprise")
            for n in range(1, 50)]
    orchard, steel = org_id(db, "Pujiang Orchard Co-op"), org_id(db, "Panzhihua Steel")
    bodies = [org_id(db, "Chongqing Carbon Audit"), org_id(db, "Sichuan Carbon Verification")]
    bank = org_id(db, "Chengdu Rural Bank")
    client = login(service.app.test_client(), "inspector")
    client.set_cookie("lang", "en")
    first = client.get("/supervision/organisations")
    text = first.get_data(as_text=True)
    assert list(org_rows(first)) == [steel, *made, *bodies, bank]  # 50 + 2 + 1
    assert re.findall(r'<span class="org-count">\((\d+)\)</span>', text) == ["51", "2", "1"]
    assert re.findall(r'id="([a-z_]+-next-page)"', text) == ["enterprise-next-page"]
    assert "First page" not in text
    link = unescape(re.search(r'id="enterprise-next-page" rel="next" href="([^"]+)"',
                              text).group(1))
    assert link == f"/supervision/organisations?before={made[-1]}#enterprise"
    second = client.get(link)
    assert second.status_code == 200
    found = org_rows(second)
    assert list(found) == [orchard, *bodies, bank]  # the other kinds keep their first page
    assert found[orchard] == ["Pujiang Orchard Co-op", "Sichuan", "2", "1", "Record a finding"]
    shown = second.get_data(as_text=True)
    assert re.findall(r'<span class="org-count">\((\d+)\)</span>', shown) == ["51", "2", "1"]
    assert "next-page" not in shown
    assert 'href="/supervision/organisations#enterprise">First page</a>' in shown
    # the use case pages the same way, at any size: 51 producers, 20 a page = 20 + 20 + 11
    sizes, after = [], {}
    while True:
        producers = oversight.organisations(db, service.people["inspector"], after,
                                            size=20)["enterprise"]
        sizes.append(len(producers.page.rows))
        if producers.page.next_before is None:
            break
        after = {"before": str(producers.page.next_before)}
    assert sizes == [20, 20, 11] and producers.count == 51
    assert producers.page.rows[-1]["id"] == orchard


def test_a_cursor_no_page_of_that_list_gave_is_refused(service, platform, login):
    """A bank's number as the producers' cursor, a body's as the banks', a word: 400, each
    named where it was given, in the reader's language."""
    bank, body = org_id(service.db, "Chengdu Rural Bank"), org_id(service.db,
                                                                   "Sichuan Carbon Verification")
    client = login(service.app.test_client(), "inspector")
    client.set_cookie("lang", "en")
    refused = client.get(f"/supervision/organisations?before={bank}&banks_before={body}"
                         "&bodies_before=next")
    assert refused.status_code == 400
    text = unescape(refused.get_data(as_text=True))
    said = "must be the cursor a page of this list gave (follow its link to the next page)"
    assert re.findall(r'<li><code title="(\w+)">\1</code>: ([^<]+)</li>', text) == \
        [("before", said), ("bodies_before", said), ("banks_before", said)]
    with pytest.raises(InvalidInput) as caught:
        oversight.organisations(service.db, service.people["inspector"], {"before": str(bank)})
    assert [p.where for p in caught.value.problems] == ["before"]
    client.set_cookie("lang", "zh")
    chinese = client.get(f"/supervision/organisations?banks_before={body}")
    assert chinese.status_code == 400
    assert "banks_before</code>：须为本列表某一页给出的游标（请使用页面上的“下一页”链接）" in unescape(chinese.get_data(as_text=True))


def test_an_administrator_reads_the_lists_and_records_no_finding(service, platform, clients):
    admin = clients["admin"]
    assert list(rows(admin.get("/supervision/submissions"))) == \
        [platform[k] for k in ("d", "c", "a", "b")]
    page = admin.get("/supervision/organisations").get_data(as_text=True)
    assert 'data-org=' in page
    assert "findings/new" not in page  # findings are the regulator's to record


@pytest.mark.parametrize("who", ["orchard", "auditor", "reviewer", "lender"])
def test_everyone_else_is_refused(service, platform, login, who):
    """A producer, an accounting body, the platform's reviewer, a bank: 403 on both pages
    and from the use case, and neither list in the navigation."""
    client = login(service.app.test_client(), who)
    for path in ("/supervision/submissions", "/supervision/organisations",
                 f"/supervision/submissions?org={service.people['orchard']['org_id']}"):
        assert client.get(path).status_code == 403
    assert 'href="/supervision/submissions"' not in client.get("/").get_data(as_text=True)
    user = service.people[who]
    with pytest.raises(Forbidden):
        oversight.submissions(service.db, user, {})
    with pytest.raises(Forbidden):
        oversight.organisations(service.db, user)
    with pytest.raises(Forbidden):
        oversight.filterable(service.db, user)


def test_no_page_of_a_submission_offers_a_regulator_a_form(service, platform, login):
    """Read only: the submission's page in every state here (draft, submitted, issued) has
    no action, comment, evidence or revocation form for a regulator: the only form that
    posts is logging out."""
    client = login(service.app.test_client(), "inspector")
    for sid in platform.values():
        text = client.get(f"/submissions/{sid}").get_data(as_text=True)
        assert POST_FORM.findall(text) == \
            ['<form method="post" action="/logout" class="inline">'], sid
        assert f"/submissions/{sid}/edit" not in text


def test_the_lists_speak_chinese_by_default(service, platform, login):
    client = login(service.app.test_client(), "inspector")
    text = client.get("/supervision/submissions?status=draft").get_data(as_text=True)
    assert "<h1>平台上的申报</h1>" in text
    assert "尚未指定" in text and '140 kg CO₂e</span> <span class="nowrap">每 1 t</span></span>' in text
    organisations = client.get("/supervision/organisations").get_data(as_text=True)
    assert "<h1>平台上的机构</h1>" in organisations
    assert "四川" in organisations and "作出认定" in organisations
    refused = client.get("/supervision/submissions?status=finished")
    assert refused.status_code == 400
    assert re.search(r"状态</\w+>：须为以下之一：草稿、已提交", refused.get_data(as_text=True))
