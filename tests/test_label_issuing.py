"""Approval issues a signed label, logged; a new approval supersedes it; revocation is logged."""
import pytest

from footprint import Conflict, Forbidden, InvalidInput
from footprint.labels import LabelInvalid, export_trust_list, load_trust_list, verify
from footprint.usecases import submissions as subs
from footprint.usecases.issuing import Issuer
from footprint.store import transaction
from footprint.usecases.labels import current_for_submission, for_submission, get, revoked, status
from footprint.usecases.revoking import revoke
from footprint.usecases.labels import names as names_of
from footprint.translog import TransparencyLog, verify_inclusion

pytestmark = pytest.mark.both_engines  # each test on SQLite, then on PostgreSQL


def test_approval_issues_a_signed_logged_label(service, approve, issuer, make_bom):
    final = approve(make_bom(), issuer)
    assert final["status"] == "issued"
    label = for_submission(service.db, final["id"])
    trust = load_trust_list(export_trust_list(service.home))
    verified = verify(label["cose"], trust)
    # 100 kWh x 0.1404 (Sichuan 2022) = 14.04 kg CO2e, signed as 14.0 (3 significant figures)
    assert str(verified.claims["value"]) in ("14.0", "14")
    assert verified.claims["id"] == label["id"] and verified.claims["issuer"] == "CN-SC"
    log = TransparencyLog(service.db)
    assert log.entry(label["log_index"])["entry"] == label["cose"]
    proof = log.inclusion(label["log_index"])
    assert verify_inclusion(proof["leaf_index"], proof["tree_size"], proof["leaf_hash"],
                            proof["proof"], proof["root"])
    assert status(label) == "valid"
    trail = [e["action"] for e in subs.audit_trail(service.db, service.people["orchard"],
                                                   final["id"])]
    assert trail[-2:] == ["approve", "issue"]


def test_second_approval_supersedes_and_revocation_is_public(service, approve, issuer,
                                                            make_bom):
    first = approve(make_bom(), issuer)
    second = approve(make_bom(lines=[
        {"input": "electricity", "amount": 90, "unit": "kWh", "stage": "production"}]), issuer)
    old, new = for_submission(service.db, first["id"]), for_submission(service.db, second["id"])
    assert old["superseded_by"] == new["id"] and new["supersedes"] == old["id"]
    assert status(old) == "superseded"
    assert subs.get(service.db, service.people["orchard"], first["id"])["status"] == "superseded"
    kinds = [TransparencyLog(service.db).entry(i)["kind"] for i in range(3)]
    assert kinds == ["issue", "issue", "supersede"]
    with pytest.raises(Forbidden):
        revoke(service.db, service.people["orchard"], new["id"], "fraud")
    with pytest.raises(InvalidInput):
        revoke(service.db, service.people["reviewer"], new["id"], "  ")
    revoke(service.db, service.people["reviewer"], new["id"], "meter readings were falsified")
    assert status(for_submission(service.db, second["id"])) == "revoked"
    assert revoked(service.db)[0]["reason"] == "meter readings were falsified"
    assert TransparencyLog(service.db).entry(3)["kind"] == "revoke"
    with pytest.raises(Conflict):
        revoke(service.db, service.people["admin"], new["id"], "again")


def _edit_by_hand(db, sql: str, params: list) -> None:
    with transaction(db):
        db.execute(sql, params)


def test_which_label_a_new_one_supersedes_is_the_logs_to_say(service, approve, issuer,
                                                             make_bom):
    """The columns made to say the opposite of the log: the next approval still supersedes
    the label the log says is current, and never a revoked one."""
    first = for_submission(service.db, approve(make_bom(), issuer)["id"])
    second = for_submission(service.db, approve(make_bom(lines=[
        {"input": "electricity", "amount": 90, "unit": "kWh", "stage": "production"}]),
        issuer)["id"])
    _edit_by_hand(service.db, "UPDATE labels SET superseded_by = NULL WHERE id = ?",
                  [first["id"]])
    _edit_by_hand(service.db, "UPDATE labels SET superseded_by = ? WHERE id = ?",
                  [first["id"], second["id"]])
    assert current_for_submission(service.db, first["submission_id"]) is None
    assert current_for_submission(service.db, second["submission_id"])["id"] == second["id"]
    third = for_submission(service.db, approve(make_bom(lines=[
        {"input": "electricity", "amount": 80, "unit": "kWh", "stage": "production"}]),
        issuer)["id"])
    assert third["supersedes"] == second["id"]
    log = TransparencyLog(service.db)
    assert [(e["kind"], e["label_id"]) for e in log.entries_for(second["id"])] == \
        [("issue", second["id"]), ("supersede", second["id"])]
    assert [e["kind"] for e in log.entries_for(first["id"])] == ["issue", "supersede"]
    assert status(get(service.db, first["id"])) == "superseded"
    assert get(service.db, first["id"])["superseded_by"] == second["id"]

    # a revocation cleared by hand: the revoked label is not current, so nothing supersedes it
    revoke(service.db, service.people["reviewer"], third["id"], "double counting")
    _edit_by_hand(service.db, "UPDATE labels SET revoked_at = NULL, revocation_reason = NULL "
                              "WHERE id = ?", [third["id"]])
    assert current_for_submission(service.db, third["submission_id"]) is None
    with pytest.raises(Conflict, match="already revoked"):
        revoke(service.db, service.people["admin"], third["id"], "again")
    fourth = for_submission(service.db, approve(make_bom(lines=[
        {"input": "electricity", "amount": 70, "unit": "kWh", "stage": "production"}]),
        issuer)["id"])
    assert fourth["supersedes"] is None
    assert [e["kind"] for e in log.entries_for(third["id"])] == ["issue", "revoke"]
    assert status(get(service.db, third["id"])) == "revoked"


def test_without_a_key_nothing_is_approved(service, approve, make_bom, tmp_path):
    from footprint.labels import KeyStoreError
    with pytest.raises(KeyStoreError):
        approve(make_bom(), Issuer(tmp_path / "no-keys", "CN-SC"))
    assert service.db["labels"].count == 0
    statuses = {r["status"] for r in service.db["submissions"].rows}
    assert statuses == {"verified"}  # the approval rolled back with the failed issuing


def test_a_forged_label_does_not_verify(service, approve, issuer, make_bom):
    label = for_submission(service.db, approve(make_bom(), issuer)["id"])
    forged = bytearray(label["cose"])
    forged[-70] ^= 0x01
    with pytest.raises(LabelInvalid):
        verify(bytes(forged), load_trust_list(export_trust_list(service.home)))


def test_the_label_signs_identifiers_and_names_are_published_whole(service, approve, issuer,
                                                                    make_bom):
    long_name = "Crude steel, V-Ti magnetite route (BF, converter vanadium extraction, BOF), Panzhihua"
    final = approve(make_bom(product={"name": long_name}), issuer)
    label = for_submission(service.db, final["id"])
    signed = verify(label["cose"], load_trust_list(export_trust_list(service.home))).claims
    assert "product_name_en" not in signed and long_name not in label["cose"].decode("latin-1")
    assert signed["product"] == final["product_id"]
    assert signed["producer"] == final["org_id"]  # no credit code on record: its number
    assert signed["verifier"] == final["verifier_org_id"]
    (approver,) = service.db.query("SELECT actor_id FROM audit_events WHERE submission_id = ? "
                                   "AND action = 'approve'", [final["id"]])
    assert signed["reviewer"] == approver["actor_id"]
    names = names_of(label)
    assert names["product_name_en"] == long_name and len(long_name) == 85
    org = service.db["organisations"].get(final["org_id"])
    assert names["producer_name"] == org["name"]
