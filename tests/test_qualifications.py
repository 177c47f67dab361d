"""Qualified accounting bodies: only a body qualified for the submission's category on the
day (in the platform's time zone, Asia/Shanghai) is assigned a submission or verifies it;
refused actions change nothing; expiring qualifications are flagged; the CLI and the
administration page record them."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from footprint import InvalidInput, clock
from footprint.usecases import actions, qualifications
from footprint.usecases import submissions as subs
from footprint.usecases.users import seed_user
from tests.conftest import PASSWORD

pytestmark = pytest.mark.both_engines  # tests on the service: on SQLite, then on PostgreSQL

BODY = "Mianyang Carbon Check"


def noon(day: str) -> datetime:
    """04:00 UTC is 12:00 in China: the middle of ``day`` there."""
    return datetime.fromisoformat(f"{day}T04:00:00+00:00")


@pytest.fixture
def world(service, monkeypatch):
    """A new accounting body with no qualification yet, its verifier, and a way to set the
    clock; the producer's generic-category draft."""
    db = service.db
    verifier = seed_user(db, "checker", "verifier", BODY, PASSWORD)
    engine = service.app.extensions["footprint_engine"]
    categories = engine.registry.categories
    moment = {"now": noon("2026-06-15")}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    def qualify(cats, first, last):
        return qualifications.qualify(db, service.people["admin"], BODY, "川碳核资-001",
                                      cats, first, last, categories)

    def draft(make_bom):
        return subs.create_submission(db, engine, service.people["orchard"], make_bom())[0]

    def at(day):
        moment["now"] = noon(day)

    return type("World", (), dict(db=db, verifier=verifier, qualify=staticmethod(qualify),
                                  draft=staticmethod(draft), at=staticmethod(at),
                                  people=service.people))


def submit(world, sid):
    return actions.act(world.db, world.people["orchard"], sid, "submit", verifier_org=BODY)


def verify(world, sid):
    return actions.act(world.db, world.verifier, sid, "verify",
                       checklist=actions.VERIFY_CHECKLIST)


def events(world, sid):
    return [e["action"] for e in world.db.query(
        "SELECT action FROM audit_events WHERE submission_id = ? ORDER BY id", [sid])]


# (qualifications, day): the submission is of category "generic", submitted on ``day``.
ASSIGN = {
    "qualified": ([(["generic"], "2026-01-01", "2026-12-31")], "2026-06-15", None),
    "last day still holds": ([(["generic"], "2026-01-01", "2026-06-15")], "2026-06-15", None),
    "wrong category": ([(["oranges"], "2026-01-01", "2026-12-31")], "2026-06-15",
                       "holds no qualification"),
    "expired": ([(["generic"], "2025-01-01", "2026-06-14")], "2026-06-15",
                "not valid that day"),
    "not yet valid": ([(["generic"], "2026-06-16", "2027-06-15")], "2026-06-15",
                      "not valid that day"),
    "no qualification": ([], "2026-06-15", "holds no qualification"),
}


@pytest.mark.parametrize("case", ASSIGN)
def test_only_a_body_qualified_on_the_day_is_assigned(world, make_bom, case):
    held, day, refusal = ASSIGN[case]
    for cats, first, last in held:
        world.qualify(cats, first, last)
    world.at(day)
    sid = world.draft(make_bom)["id"]
    if refusal is None:
        assert submit(world, sid)["status"] == "submitted"
        return
    with pytest.raises(InvalidInput) as refused:
        submit(world, sid)
    [problem] = refused.value.problems
    assert problem.where == "verifier_org"
    assert refusal in str(problem.message) and BODY in str(problem.message)
    row = world.db["submissions"].get(sid)
    assert (row["status"], row["verifier_org_id"]) == ("draft", None)  # nothing changed
    assert events(world, sid) == ["create"]


# (qualifications, day submitted, day verified): assigned while qualified, then verified on
# another day.
VERIFY = {
    "qualified": ([(["generic"], "2026-01-01", "2026-12-31")], "2026-06-15", "2026-06-20",
                  True),
    "expired since": ([(["generic"], "2026-01-01", "2026-06-30")], "2026-06-15",
                      "2026-07-01", False),
    "next one not yet valid": ([(["generic"], "2026-01-01", "2026-06-10"),
                                (["generic"], "2026-06-20", "2027-06-19")],
                               "2026-06-05", "2026-06-12", False),
    "qualified for another category only": ([(["generic"], "2026-01-01", "2026-06-10"),
                                             (["oranges"], "2026-01-01", "2026-12-31")],
                                            "2026-06-05", "2026-06-12", False),
}


@pytest.mark.parametrize("case", VERIFY)
def test_only_a_body_qualified_on_the_day_verifies(world, make_bom, case):
    held, submitted, verified, allowed = VERIFY[case]
    for cats, first, last in held:
        world.qualify(cats, first, last)
    world.at(submitted)
    sid = world.draft(make_bom)["id"]
    submit(world, sid)
    world.at(verified)
    if allowed:
        assert verify(world, sid)["status"] == "verified"
        return
    with pytest.raises(InvalidInput) as refused:
        verify(world, sid)
    assert [p.where for p in refused.value.problems] == ["verifier_org"]
    row = world.db["submissions"].get(sid)
    assert (row["status"], row["verified_by"]) == ("submitted", None)
    assert events(world, sid) == ["create", "submit"]


def test_the_day_is_the_platforms(world, make_bom):
    """2026-06-14T17:00Z is 01:00 on 15 June in China: a qualification from 15 June holds."""
    world.qualify(["generic"], "2026-06-15", "2026-12-31")
    world.at("2026-06-15")
    sid = world.draft(make_bom)["id"]
    clock_now = datetime(2026, 6, 14, 17, 0, tzinfo=timezone.utc)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(clock, "now", lambda: clock_now)
        assert submit(world, sid)["status"] == "submitted"
        # 15:59 UTC on 14 June is 23:59 there: still the 14th, not qualified
        sid2 = world.draft(make_bom)["id"]
        mp.setattr(clock, "now", lambda: datetime(2026, 6, 14, 15, 59, tzinfo=timezone.utc))
        with pytest.raises(InvalidInput):
            submit(world, sid2)


def test_an_unqualified_body_cannot_verify_on_the_web(world, make_bom, login, service):
    """The page answers 400 with the located problem in Chinese; nothing changes."""
    world.qualify(["generic"], "2026-01-01", "2026-06-30")
    sid = world.draft(make_bom)["id"]
    submit(world, sid)
    world.at("2026-07-01")
    client = login(service.app.test_client(), "checker")
    data = {f"checklist_{item}": "on" for item in actions.VERIFY_CHECKLIST}
    data["checklist"] = list(actions.VERIFY_CHECKLIST)
    answer = client.post(f"/submissions/{sid}/verify", data=data)
    assert answer.status_code == 400
    assert (f"{BODY} 在 2026-07-01 无权核查 generic 类产品：其该类别资质当日不在有效期内"
            in answer.get_data(as_text=True))
    assert world.db["submissions"].get(sid)["status"] == "submitted"


def test_expiring_and_expired_are_flagged_unless_renewed(world):
    """On 2026-06-15 with a 30-day notice: until 2026-07-15 (30 days on) is expiring, until
    2026-07-16 (31 days on) is not; until 2026-06-14 has expired; an expired one whose
    categories a later qualification covers (renewed) is not flagged."""
    world.qualify(["oranges"], "2026-01-01", "2026-07-15")
    world.qualify(["batteries"], "2026-01-01", "2026-07-16")
    world.qualify(["generic"], "2025-01-01", "2026-06-14")
    world.qualify(["steel_vanadium"], "2025-01-01", "2026-06-01")
    world.qualify(["steel_vanadium"], "2026-06-02", "2028-06-01")
    flagged = {(q["org_name"], tuple(q["categories"]), q["standing"])
               for q in qualifications.needing_attention(world.db, date(2026, 6, 15))}
    assert flagged == {(BODY, ("oranges",), "expiring"), (BODY, ("generic",), "expired")}


def test_a_qualification_is_checked_and_audited(world):
    with pytest.raises(InvalidInput) as refused:
        world.qualify(["generic", "no-such"], "2026-13-01", "2026-01-01")
    assert {p.where for p in refused.value.problems} == {"categories[1]", "valid_from"}
    with pytest.raises(InvalidInput) as refused:
        world.qualify([], "2026-02-01", "2026-01-31")
    assert {p.where for p in refused.value.problems} == {"categories", "valid_until"}
    assert world.db["qualifications"].count == 2  # the template's two bodies only
    made = world.qualify(["generic"], "2026-01-01", "2026-12-31")
    [event] = world.db.query("SELECT * FROM supervision_events WHERE qualification_id = ?",
                             [made["id"]])
    assert (event["action"], event["actor_id"]) == ("qualify", world.people["admin"]["id"])


def test_only_an_administrator_qualifies(world, service):
    from footprint import Forbidden
    with pytest.raises(Forbidden):
        qualifications.qualify(world.db, service.people["reviewer"], BODY, "x", ["generic"],
                               "2026-01-01", "2026-12-31", ["generic"])


def test_bodies_qualify_and_list_on_the_command_line(run, tmp_path, monkeypatch, registry):
    from footprint.store import connect, database_path
    from footprint.store.migrations import migrate
    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path))
    db = connect(database_path(tmp_path))
    migrate(db)
    seed_user(db, "checker", "verifier", BODY, PASSWORD)
    good = run("bodies", "qualify", BODY, "--number", "川碳核资-009", "--categories",
               "generic,oranges", "--from", "2026-01-01", "--until", "2099-12-31")
    assert good.exit_code == 0, good.output
    bad = run("bodies", "qualify", BODY, "--number", "N", "--categories", "tea-leaves",
              "--from", "2026-01-01", "--until", "2026-12-31")
    assert bad.exit_code == 2
    assert "categories[0]" in bad.stderr
    listed = run("bodies", "list")
    assert listed.exit_code == 0
    # the categories by their names (in English: the suite's language)
    assert "川碳核资-009" in listed.output
    assert "Generic product, Oranges (citrus fruit)" in listed.output
    assert db["qualifications"].count == 1
