"""The operator's commands on files and selections: bad paths and unknown names refused
before any work, in English and Chinese, with exit 2 and nothing stored."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import cli


@pytest.fixture
def operator(service):
    """operator(*args, input=None) -> the result of `footprint ARGS` on the service's home."""
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by itself
        runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args], input=input,
                             env={"FOOTPRINT_HOME": str(service.home)})
    return invoke


def refused(result, *lines: str) -> None:
    """Exit 2, no traceback, and stderr exactly ``lines`` (English, then Chinese)."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == list(lines)


# -- 2. a file that cannot be written is refused before any work --------------------------------

def test_db_backup_into_a_missing_folder_is_refused_in_one_line(service, operator, tmp_path):
    target = tmp_path / "missing" / "copy.db"
    refused(operator("db", "backup", target),
            f"error: PATH: {target.parent} is not a directory one may write in",
            f"错误：PATH：{target.parent} 不是可写入的目录")
    assert not target.parent.exists()


def test_recalc_with_a_report_that_cannot_be_written_does_nothing(service, operator, tmp_path):
    report = tmp_path / "missing" / "report.csv"
    for dry_run in (("--dry-run",), ()):
        refused(operator("recalc", *dry_run, "--no-progress", "--report", report),
                f"error: report: {report.parent} is not a directory one may write in",
                f"错误：report：{report.parent} 不是可写入的目录")
    assert service.db.execute("SELECT count(*) FROM recalc_runs").fetchone()[0] == 0


# -- 4. a recalculation's selection names what exists ------------------------------------------

def test_recalc_refuses_unknown_regions_categories_and_organisations(service, operator):
    refused(operator("recalc", "--no-progress", "--region", "CN-XX"),
            'error: region: region "CN-XX" unknown; did you mean one of "CN-GX", "CN-JX", '
            '"CN-NX", "CN-SX", "CN-XJ", ...?',
            '错误：region：未知的地区“CN-XX”；您是否要填以下之一："CN-GX"、"CN-JX"、"CN-NX"、'
            '"CN-SX"、"CN-XJ"、...？')
    refused(operator("recalc", "--no-progress", "--dry-run", "--category", "orange"),
            'error: category: category "orange" unknown, did you mean "oranges"?',
            "错误：category：未知的品类“orange”，您是否要填“oranges”？")
    refused(operator("recalc", "--no-progress", "--category", "bogus", "--org", 999),
            "error: 2 problem(s) in the input",
            "  - category: category \"bogus\" unknown; valid: batteries, generic, oranges, "
            "steel_vanadium",
            '  - org: organisation "999" unknown; valid: Chongqing Carbon Audit, Panzhihua '
            "Steel, Pujiang Orchard Co-op, Sichuan Carbon Verification, Sichuan Platform",
            "错误：输入有 2 个问题",
            "  - category：未知的品类“bogus”；可填：batteries、generic、oranges、steel_vanadium",
            "  - org：未知的机构“999”；可填：Chongqing Carbon Audit、Panzhihua Steel、"
            "Pujiang Orchard Co-op、Sichuan Carbon Verification、Sichuan Platform")
    # refused before the run is recorded or the lease taken
    assert service.db.execute("SELECT count(*) FROM recalc_runs").fetchone()[0] == 0
    assert service.db.execute("SELECT count(*) FROM leases").fetchone()[0] == 0
    known = operator("recalc", "--no-progress", "--dry-run", "--region", "CN-SC",
                     "--category", "oranges")
    assert known.exit_code == 0, known.stderr
    assert "selected 0" in known.stdout
