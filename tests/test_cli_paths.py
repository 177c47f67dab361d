"""A path the operating system refuses (a name too long, no permission, a full disk) is said
as such by every command, in English and Chinese, not as a traceback: exit 2 for the path's
fault, 1 for the machine's, nothing written."""
from __future__ import annotations

import errno

import pytest

from cli.errors import failed_on_a_path
from footprint import FootprintError, InvalidInput

from .conftest import cli_runner

LONG = "x" * 300  # a file name may have 255 bytes (ENAMETOOLONG past them)
SHOWN = "x" * 40 + "…" + "x" * 20  # what a message shows of it


@pytest.fixture
def footprint(service):
    runner = cli_runner()

    def invoke(*args):
        from cli.main import cli
        return runner.invoke(cli, [str(a) for a in args],
                             env={"FOOTPRINT_HOME": str(service.home)})
    return invoke


@pytest.mark.parametrize("args", [("backup", "check", LONG), ("db", "backup", LONG),
                                  ("registry", "export", LONG), ("keys", "trust", "add", LONG)])
def test_a_file_name_too_long(footprint, service, args):
    before = sorted(p.name for p in service.home.iterdir())
    result = footprint(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"error: {SHOWN}: the name is too long (at most 255 bytes a name)",
        f"错误：{SHOWN}：名称过长（每个名称最多 255 字节）"]
    assert sorted(p.name for p in service.home.iterdir()) == before


def test_the_machine_s_faults_are_not_the_path_s():
    full = failed_on_a_path(OSError(errno.ENOSPC, "No space left on device", "/srv/out.zip"))
    assert type(full) is FootprintError and str(full) == "/srv/out.zip: the disk is full"
    denied = failed_on_a_path(OSError(errno.EACCES, "Permission denied", "/root/x"))
    assert isinstance(denied, InvalidInput) and str(denied.problems[0]) == \
        "/root/x: no permission"
    # an error on no path (a socket, a pipe) is not said as a path's
    assert failed_on_a_path(OSError(errno.ECONNRESET, "Connection reset")) is None
    assert failed_on_a_path(ValueError("x")) is None
