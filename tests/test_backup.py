"""The backup a platform restores: the drill on a serving demo, what a restore refuses, the
restore's checks, and the database-only copy saying what it leaves out."""
from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import stat
import tarfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from footprint.labels import label_url, to_b32
from footprint.labels.keys import own_entries, trust_list
from footprint.store import connect, database_path
from footprint.store import migrations
from footprint.translog import TransparencyLog
from footprint.translog.checkpoint import verify_checkpoint
from footprint.translog.log import b64
from footprint.errors import InvalidInput
from footprint.usecases import backup, restore
from footprint.usecases.tokens import create_token
from footprint.usecases.demo import ISSUER_ID, sample
from tests.conftest import app_on

PASSPHRASE = "granite orchard lantern seventeen"
LATEST_MIGRATION = max(version for version, _, _ in migrations.MIGRATIONS)
ENV = {"FOOTPRINT_BACKUP_PASSPHRASE": PASSPHRASE}


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    """A demo platform made as a new user makes one: `footprint demo --no-serve`."""
    home = tmp_path_factory.mktemp("demo-template") / "home"
    result = CliRunner().invoke(cli, ["demo", "--no-serve"], env={"FOOTPRINT_HOME": str(home)})
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture
def demo_home(demo_template, tmp_path):
    """A copy of the demo's state (the derived Brightway folders stay behind)."""
    home = tmp_path / "platform"
    shutil.copytree(demo_template, home, ignore=shutil.ignore_patterns(*backup.DERIVED))
    return home


def _labels(home: Path) -> dict[str, bytes]:
    db = connect(database_path(home))
    try:
        return {row["id"]: bytes(row["cose"]) for row in db.query("SELECT id, cose FROM labels")}
    finally:
        db.close()


def _verdict(response) -> str:
    return re.search(r'<article class="scan(?: void)?" id="scan" data-verdict="([a-z-]+)">',
                     response.get_data(as_text=True)).group(1)


def _scan_all(client, labels: dict[str, bytes]) -> dict[str, tuple[int, str]]:
    answers = {}
    for label_id, cose in labels.items():
        response = client.get(f"/L/{to_b32(cose)}")
        answers[label_id] = (response.status_code, _verdict(response))
    return answers


def _count(home: Path, table: str) -> int:
    db = connect(database_path(home))
    try:
        return db[table].count
    finally:
        db.close()


def _restore_cli(archive: Path, home: Path, env=ENV):
    return CliRunner().invoke(cli, ["backup", "restore", str(archive), "--home", str(home),
                                    "--passphrase-env", "FOOTPRINT_BACKUP_PASSPHRASE"],
                              env=env)


def _log_size(home: Path) -> int:
    db = connect(database_path(home))
    try:
        return TransparencyLog(db).size()
    finally:
        db.close()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".restoring-" in p.name
                  or p.name.endswith(".partial"))


@contextmanager
def serving(app, token: str, labels: dict[str, bytes]):
    """The platform serving from another thread for as long as the block runs: scans of
    ``labels`` and new submissions through the API, its first round done before the block
    begins. Yields the answers' status codes, as they come."""
    stop, warm, answers, errors = threading.Event(), threading.Event(), [], []

    def serve():
        client = app.test_client()
        bom = sample("sichuan_machined_part")
        try:
            while not stop.is_set():
                for cose in labels.values():
                    answers.append(client.get(f"/L/{to_b32(cose)}").status_code)
                created = client.post("/api/v1/submissions", json=bom, headers={
                    "Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
                answers.append(created.status_code)
                warm.set()
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            warm.set()

    server = threading.Thread(target=serve)
    server.start()
    try:
        assert warm.wait(120)  # serving (its first round done) before the block begins
        yield answers
    finally:
        stop.set()
        server.join()
    assert errors == []


# -- the drill -------------------------------------------------------------------------------

def test_a_serving_demo_backed_up_and_restored_serves_the_same_labels_all_valid(
        demo_home, tmp_path, engine):
    app = app_on(demo_home, engine, TESTING=True)
    labels = _labels(demo_home)
    assert len(labels) == 6
    before = _scan_all(app.test_client(), labels)
    assert sorted(v for _, v in before.values()) == ["revoked", "superseded", "superseded",
                                                      "valid", "valid", "valid"]
    assert {code for code, _ in before.values()} == {200}
    submissions_before = _count(demo_home, "submissions")

    # the platform keeps serving: scans and new submissions through the API, from another
    # thread, for as long as the backup runs
    db = connect(database_path(demo_home))
    token = create_token(db, "orchard", "drill")
    db.close()
    archive = tmp_path / "backups" / "platform.tar"
    archive.parent.mkdir()
    with serving(app, token, labels) as answers:
        during = len(answers)
        made = CliRunner().invoke(cli, ["backup", "create", str(archive), "--passphrase-env",
                                        "FOOTPRINT_BACKUP_PASSPHRASE"],
                                  env={**ENV, "FOOTPRINT_HOME": str(demo_home)})
    assert made.exit_code == 0, made.output
    assert set(answers) <= {200, 201} and 201 in answers[during:]  # it served throughout
    submissions_after = _count(demo_home, "submissions")
    assert submissions_after > submissions_before
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    restored = tmp_path / "restored"
    result = _restore_cli(archive, restored)
    assert result.exit_code == 0, result.output
    assert "labels verified 6 of 6" in result.output
    assert "footprint log verify: ok" in result.output
    size = _log_size(restored)
    assert f"log size {size}, root " in result.output
    # derived data stays behind: the restored home makes its own when it serves
    assert not (restored / "brightway").exists() and not (restored / "cache").exists()
    # one state of the serving database: it holds the submission made before the backup
    # began (the first round), and none made after it ended
    assert submissions_before < _count(restored, "submissions") <= submissions_after

    # the same labels, the same answers, from the restored home
    assert _labels(restored) == labels
    assert _scan_all(app_on(restored, engine, TESTING=True).test_client(), labels) == before

    # every label verifies offline against the restored platform's published trust list
    assert trust_list(restored).to_dict() == trust_list(demo_home).to_dict()
    trust_file = tmp_path / "restored-trust-list.json"
    exported = CliRunner().invoke(cli, ["keys", "export", "--output", str(trust_file)],
                                  env={"FOOTPRINT_HOME": str(restored)})
    assert exported.exit_code == 0, exported.output
    for label_id, cose in labels.items():
        checked = CliRunner().invoke(cli, ["verify", label_url("footprint.example.cn", cose),
                                           "--trust-list", str(trust_file), "--offline"])
        assert checked.exit_code == 3, checked.output  # valid; revocation not asked offline
        assert f"VALID label {label_id}" in checked.output

    # the restored key signs the log's checkpoint, and the published key verifies it
    note = app_on(restored, engine, TESTING=True).test_client().get("/log/checkpoint")
    assert note.status_code == 200
    entry = own_entries(restored, ISSUER_ID)[0]
    tree_size, root = verify_checkpoint(note.get_data(as_text=True), ISSUER_ID,
                                        entry.public_key)
    assert tree_size == size
    db = connect(database_path(demo_home))
    assert root == TransparencyLog(db).root(size)  # the served platform's log, at that size
    db.close()

    # secrets restored owner-only, the secret key included (sessions survive the move)
    assert (restored / "secret_key").read_bytes() == (demo_home / "secret_key").read_bytes()
    for path in [restored / "secret_key", *restored.glob("keys/own/*/*.pem")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in [restored, restored / "keys", *restored.glob("keys/own"),
                   *restored.glob("keys/own/*")]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert _leftovers(tmp_path) == []


def test_the_manifest_says_what_is_in_the_archive(demo_home, tmp_path, engine):
    app_on(demo_home, engine, TESTING=True)  # the web service writes its secret key on first start
    (demo_home / "keys" / "trusted.json").write_text('{"issuers": []}\n')
    archive = tmp_path / "b.tar"
    summary = backup.create(demo_home, archive, PASSPHRASE)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        blobs = {m["name"]: tar.extractfile(m["name"]).read() for m in manifest["members"]}
    pem = next(m for m in manifest["members"] if m["path"].endswith(".pem"))
    assert names[:3] == ["manifest.json", "manifest.mac", "footprint.db"]
    assert sorted(names[3:]) == sorted([
        "files/secret_key.aes", "files/keys/trusted.json", pem["name"],
        pem["name"].replace(".pem.aes", ".json")])
    for member in manifest["members"]:
        assert hashlib.sha256(blobs[member["name"]]).hexdigest() == member["sha256"]
    # the secrets are not readable without the passphrase
    secret = (demo_home / "secret_key").read_bytes()
    assert secret not in blobs["files/secret_key.aes"]
    assert b"PRIVATE KEY" not in blobs[pem["name"]]
    assert {m["path"]: m["encrypted"] for m in manifest["members"]}["secret_key"] is True
    db = connect(database_path(demo_home))
    log = TransparencyLog(db)
    assert manifest["database"] == {
        "member": "footprint.db", "migration": LATEST_MIGRATION, "labels": 6, "log_size": log.size(),
        "log_root": b64(log.root()), "checkpoint": manifest["database"]["checkpoint"]}
    assert manifest["database"]["checkpoint"].startswith(f"{ISSUER_ID}\n{log.size()}\n")
    assert manifest["footprint_version"] == "0.1.0"
    assert manifest["encryption"]["kdf"] == "scrypt" and manifest["encryption"]["n"] == 2 ** 17
    assert manifest["left_out"] == ["translations/ (derived: rebuilt)"]
    assert summary.labels == 6 and summary.log_size == log.size()


def test_other_state_in_the_home_is_backed_up_and_temporary_files_are_not(demo_home,
                                                                          tmp_path):
    """Whatever else the platform keeps in its home (a monitor's record of checkpoints, say)
    comes back; files caught half-written by the service's write-and-rename do not."""
    (demo_home / "monitor").mkdir()
    (demo_home / "monitor" / "checkpoints.json").write_text('{"seen": []}\n')
    (demo_home / "keys" / ".trusted.json.4242.tmp").write_text("half")
    (demo_home / ".secret_key.abc123").write_text("half")
    archive = tmp_path / "b.tar"
    summary = backup.create(demo_home, archive, PASSPHRASE)
    assert "monitor/checkpoints.json" in {m.path for m in summary.members}
    restored = tmp_path / "restored"
    restore.restore(archive, restored, PASSPHRASE)
    assert (restored / "monitor" / "checkpoints.json").read_text() == '{"seen": []}\n'
    assert not list(restored.rglob("*.tmp")) and not list(restored.glob(".secret_key.*"))


# -- what a backup and a restore refuse ------------------------------------------------------

@pytest.fixture
def archive(demo_home, tmp_path):
    path = tmp_path / "platform.tar"
    backup.create(demo_home, path, PASSPHRASE)
    return path


def test_a_wrong_passphrase_is_refused_and_nothing_is_written(archive, tmp_path):
    target = tmp_path / "new-home"
    result = _restore_cli(archive, target, env={"FOOTPRINT_BACKUP_PASSPHRASE": "not the one"})
    assert result.exit_code == 1
    assert "wrong passphrase" in result.output
    assert "错误：口令错误：无法用它打开此备份（未写入任何内容）" in result.output.splitlines()
    assert not target.exists() and _leftovers(tmp_path) == []


def _flip_byte_in(archive: Path, member: str, out: Path) -> Path:
    """A copy of the archive with one bit of ``member``'s content flipped."""
    with tarfile.open(archive) as tar:
        info = tar.getmember(member)
        offset = info.offset_data + info.size // 2
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("member", ["footprint.db", "files/keys/own"])
def test_a_tampered_archive_is_refused_by_its_hashes(archive, tmp_path, member):
    with tarfile.open(archive) as tar:
        name = next(n for n in tar.getnames() if n.startswith(member))
    tampered = _flip_byte_in(archive, name, tmp_path / "tampered.tar")
    target = tmp_path / "new-home"
    result = _restore_cli(tampered, target)
    assert result.exit_code == 1
    assert f"the SHA-256 of {name} does not match the manifest" in result.output
    assert not target.exists() and _leftovers(tmp_path) == []
    checked = CliRunner().invoke(cli, ["backup", "check", str(tampered), "--passphrase-env",
                                       "FOOTPRINT_BACKUP_PASSPHRASE"], env=ENV)
    assert checked.exit_code == 1 and "does not match the manifest" in checked.output


def test_a_manifest_rewritten_to_match_altered_contents_is_refused(archive, tmp_path):
    """Whoever alters the database and writes its new hash into the manifest still lacks the
    passphrase the manifest's MAC is keyed with."""
    with tarfile.open(archive) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar.getmembers()]
    altered = tmp_path / "altered.tar"
    with tarfile.open(altered, "w", format=tarfile.PAX_FORMAT) as out:
        manifest = json.loads(members[0][1])
        manifest["database"]["labels"] = 4
        data = json.dumps(manifest).encode()
        members[0][0].size = len(data)
        out.addfile(members[0][0], io.BytesIO(data))
        for info, blob in members[1:]:
            out.addfile(info, io.BytesIO(blob))
    result = _restore_cli(altered, tmp_path / "new-home")
    assert result.exit_code == 1
    assert "the manifest was altered" in result.output
    assert f"错误：{altered}：清单在备份完成后被改动过（其 MAC 不符）" in result.output.splitlines()
    assert not (tmp_path / "new-home").exists()


def test_a_restore_into_a_home_that_is_not_empty_is_refused(archive, tmp_path):
    target = tmp_path / "in-use"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = _restore_cli(archive, target)
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert _leftovers(tmp_path) == []


def test_an_empty_folder_is_a_home_to_restore_into(archive, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    result = _restore_cli(archive, target)
    assert result.exit_code == 0, result.output
    assert database_path(target).is_file()
    assert stat.S_IMODE(target.stat().st_mode) == 0o700


def test_a_backup_never_overwrites_a_file(demo_home, tmp_path):
    existing = tmp_path / "yesterday.tar"
    existing.write_bytes(b"yesterday's backup")
    result = CliRunner().invoke(cli, ["backup", "create", str(existing), "--passphrase-env",
                                      "FOOTPRINT_BACKUP_PASSPHRASE"],
                                env={**ENV, "FOOTPRINT_HOME": str(demo_home)})
    assert result.exit_code == 2
    assert "exists" in result.output
    assert existing.read_bytes() == b"yesterday's backup"
    with pytest.raises(InvalidInput, match="exists"):
        backup.create(demo_home, existing, PASSPHRASE)
    assert existing.read_bytes() == b"yesterday's backup"


def test_a_backup_is_not_kept_inside_the_home_it_backs_up(demo_home):
    with pytest.raises(InvalidInput, match="inside FOOTPRINT_HOME"):
        backup.create(demo_home, demo_home / "b.tar", PASSPHRASE)
    assert not (demo_home / "b.tar").exists()


def _a_folder_with_a_file(tmp_path: Path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "a-file").write_text("not a folder")
    return folder


# (the FILE given, relative to a folder holding the file a-file; the lines said)
BAD_TARGETS = [
    ("missing/b.tar", "error: FILE: {folder}/missing is not a directory one may write in",
     "错误：FILE：{folder}/missing 不是可写入的目录"),
    ("a-file/b.tar", "error: FILE: {folder}/a-file is not a directory one may write in",
     "错误：FILE：{folder}/a-file 不是可写入的目录"),
    (".", "error: FILE: {folder} is a directory: name a new file",
     "错误：FILE：{folder} 是目录：请指定一个新文件"),
    ("a-file", "error: FILE: {folder}/a-file exists; a file is never overwritten: choose a "
     "new name", "错误：FILE：{folder}/a-file 已存在；不会覆盖已有文件：请换一个新文件名"),
    # no new file is made in /proc, whoever runs the test (root included)
    ("/proc/b.tar", "error: FILE: /proc is not a directory one may write in",
     "错误：FILE：/proc 不是可写入的目录"),
]


@pytest.mark.parametrize("target, english, chinese", BAD_TARGETS, ids=[
    "missing folder", "a file as the folder", "a folder", "an existing file", "unwritable"])
def test_a_backup_to_a_bad_path_is_refused_in_both_languages_before_any_work(
        demo_home, tmp_path, target, english, chinese):
    folder = _a_folder_with_a_file(tmp_path)
    # no passphrase given: the path is refused before one is asked for
    result = CliRunner().invoke(cli, ["backup", "create", str(folder / target)], input="",
                                env={"FOOTPRINT_HOME": str(demo_home)})
    assert result.exit_code == 2
    assert result.output.splitlines() == [english.format(folder=folder),
                                          chinese.format(folder=folder)]
    assert sorted(p.name for p in folder.iterdir()) == ["a-file"]
    assert (folder / "a-file").read_text() == "not a folder"


def test_a_restore_or_a_check_of_a_bad_path_is_refused_in_both_languages(archive, tmp_path):
    folder = _a_folder_with_a_file(tmp_path)
    home = str(tmp_path / "new-home")

    def said(*args):
        result = CliRunner().invoke(cli, ["backup", *map(str, args)], input="")
        return result.exit_code, result.output.splitlines()

    assert said("restore", folder / "none.tar", "--home", home) == (2, [
        f"error: FILE: no such file: {folder}/none.tar",
        f"错误：FILE：没有这个文件：{folder}/none.tar"])
    assert said("check", folder) == (2, [
        f"error: FILE: {folder} is a directory: name a file",
        f"错误：FILE：{folder} 是目录：请指定一个文件"])
    assert said("restore", archive, "--home", folder / "a-file") == (2, [
        f"error: --home: {folder}/a-file is a file: name an empty or new folder",
        f"错误：--home：{folder}/a-file 是文件：请指定一个空的或新的文件夹"])
    assert said("restore", archive, "--home", folder) == (1, [
        f"error: {folder} is not empty: a backup is restored only into an empty or new "
        "folder, so nothing there is overwritten",
        f"错误：{folder} 不是空的：备份只会恢复到空的或新的文件夹，以免覆盖其中任何内容"])
    assert said("restore", archive, "--home", folder / "missing" / "home") == (2, [
        f"error: --home: {folder}/missing is not a directory one may write in",
        f"错误：--home：{folder}/missing 不是可写入的目录"])
    assert said("restore", archive, "--home", "/proc/footprint-home") == (2, [
        "error: --home: /proc is not a directory one may write in",
        "错误：--home：/proc 不是可写入的目录"])
    assert sorted(p.name for p in folder.iterdir()) == ["a-file"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "platform",
                                                          "platform.tar"]


def test_the_passphrase_is_never_a_plain_argument_and_a_short_one_is_refused(demo_home,
                                                                             tmp_path):
    target = tmp_path / "b.tar"
    home = {"FOOTPRINT_HOME": str(demo_home)}
    plain = CliRunner().invoke(cli, ["backup", "create", str(target), "--passphrase", "x"],
                               env=home)
    assert plain.exit_code == 2 and "No such option" in plain.output
    short = CliRunner().invoke(cli, ["backup", "create", str(target)], input="too short\n",
                               env=home)
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    assert not target.exists()
    unset = CliRunner().invoke(cli, ["backup", "create", str(target), "--passphrase-env",
                                     "FOOTPRINT_NO_SUCH_VARIABLE"], env=home)
    assert unset.exit_code == 2 and "FOOTPRINT_NO_SUCH_VARIABLE is not set" in unset.output


def test_the_passphrase_from_standard_input_or_a_file(demo_home, tmp_path):
    archive = tmp_path / "b.tar"
    made = CliRunner().invoke(cli, ["backup", "create", str(archive)], input=PASSPHRASE + "\n",
                              env={"FOOTPRINT_HOME": str(demo_home)})
    assert made.exit_code == 0, made.output
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    checked = CliRunner().invoke(cli, ["backup", "check", str(archive), "--passphrase-file",
                                       str(secret)])
    assert checked.exit_code == 0, checked.output
    assert "labels verified 6 of 6" in checked.output
    assert "the backup restores" in checked.output


# -- the restore's checks --------------------------------------------------------------------

def _restored(archive: Path, tmp_path: Path) -> tuple[Path, dict]:
    home = tmp_path / "restored"
    report = restore.restore(archive, home, PASSPHRASE)
    assert report.ok, report.problems
    return home, report.manifest


def test_a_restored_home_passes_every_check(archive, tmp_path):
    home, manifest = _restored(archive, tmp_path)
    report = restore.check_home(home, manifest)
    assert report.problems == []
    assert (report.labels_verified, report.labels_total) == (6, 6)
    assert report.log_size == manifest["database"]["log_size"]
    assert report.log_root == manifest["database"]["log_root"]
    assert report.checkpoint_signed_by == ISSUER_ID
    assert [p.split(":")[0] for p in report.passed] == [
        "SQLite integrity check", f"migration level {LATEST_MIGRATION}, current",
        "labels verified 6 of 6 against the restored trust list", "log root at size "
        f"{report.log_size} matches the backup", "footprint log verify",
        f"checkpoint signed with the restored key of {ISSUER_ID}"]


def test_a_restored_home_without_its_signing_key_fails_the_checks(archive, tmp_path):
    home, manifest = _restored(archive, tmp_path)
    shutil.rmtree(home / "keys")
    report = restore.check_home(home, manifest)
    assert report.labels_verified == 0
    assert sum("does not verify against the restored trust list" in p
               for p in report.problems) == 6
    assert "no issuer key was restored, yet the database holds labels" in report.problems


def test_a_log_that_lost_its_last_entry_fails_the_checks(archive, tmp_path):
    home, manifest = _restored(archive, tmp_path)
    db = connect(database_path(home))
    last = TransparencyLog(db).size() - 1
    db.execute("DROP TRIGGER log_entries_append_only_delete")  # what an intruder would do
    db.execute("DELETE FROM log_entries WHERE idx = ?", [last])
    db.conn.commit()
    db.close()
    report = restore.check_home(home, manifest)
    # the root recorded at backup time catches it even where the monitor has no checkpoint
    # of its own to compare with (the demo never ran `footprint log verify`)
    assert f"the log's root at size {last + 1} is None, the manifest recorded " \
           f"{manifest['database']['log_root']} (the log now has {last} entries)" \
        in report.problems
    assert not report.ok


def test_a_backup_of_a_platform_whose_label_was_altered_does_not_restore(demo_home, tmp_path):
    """The archive is intact, but what it holds is not a platform that verifies: the restore
    says which label fails and leaves nothing behind."""
    db = connect(database_path(demo_home))
    row = next(iter(db.query("SELECT id, cose FROM labels ORDER BY id")))
    label_id, forged = row["id"], bytearray(row["cose"])
    forged[-1] ^= 0x01  # the last byte of the signature
    db.execute("UPDATE labels SET cose = ? WHERE id = ?", [bytes(forged), label_id])
    db.conn.commit()
    db.close()
    archive = tmp_path / "b.tar"
    backup.create(demo_home, archive, PASSPHRASE)
    target = tmp_path / "new-home"
    result = _restore_cli(archive, target)
    assert result.exit_code == 1
    assert f"FAIL  label {label_id} does not verify against the restored trust list: " \
           "bad-signature" in result.output
    assert "ok    SQLite integrity check: ok" in result.output
    assert "nothing was restored" in result.output
    assert not target.exists() and _leftovers(tmp_path) == []
    # in Chinese, the check's mark and its words; the core's detail of the label as it is
    chinese = _restore_cli(archive, target, env={**ENV, "FOOTPRINT_LANG": "zh"})
    assert chinese.exit_code == 1
    assert f"  失败  标签 {label_id} 未能通过恢复的信任列表核验：bad-signature: " \
        in chinese.stderr
    assert "  通过  SQLite 完整性检查：通过" in chinese.stdout.splitlines()
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_backup_from_an_older_schema_is_migrated_on_restore(archive, tmp_path, monkeypatch):
    """A backup made before a migration this footprint has: restored, then migrated as
    `footprint serve` would, and checked on the current schema."""
    def later(db):
        db.execute("CREATE TABLE drill_later (x INTEGER)")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS,
                                                   (99, "a later migration", later)])
    monkeypatch.setattr(restore, "MIGRATIONS", migrations.MIGRATIONS)
    report = restore.restore(archive, tmp_path / "restored", PASSPHRASE)
    assert report.migrated == [(99, "a later migration")]
    assert report.migration == 99 and report.ok


# -- the database-only copy ------------------------------------------------------------------

def test_db_backup_says_it_copies_only_the_database(demo_home, tmp_path):
    help_text = CliRunner().invoke(cli, ["db", "backup", "--help"]).output
    assert "Copy only the database" in help_text
    assert "issuer keys and the secret key are left out" in " ".join(help_text.split())
    copy = tmp_path / "only.db"
    result = CliRunner().invoke(cli, ["db", "backup", str(copy)],
                                env={"FOOTPRINT_HOME": str(demo_home)})
    assert result.exit_code == 0, result.output
    assert "footprint backup create" in result.output
    assert connect(copy)["labels"].count == 6


def test_the_readme_describes_the_backup_and_what_the_database_copy_leaves_out():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    operations = readme.split("## Operations: backup and restore", 1)[1].split("\n## ", 1)[0]
    for command in ("footprint backup create", "footprint backup restore",
                    "footprint backup check", "--passphrase-env", "--passphrase-file"):
        assert command in operations
    assert "`footprint db backup FILE` is the database alone: no issuer keys" in operations
    assert "footprint db backup" not in readme.split("## Operations", 1)[0]
