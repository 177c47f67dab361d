"""``footprint demo``: migrate, seed the demo data once, print the logins, run the service."""
from __future__ import annotations

import os
import unicodedata

import click

from footprint.engine import Engine
from footprint.settings import footprint_home
from footprint.usecases import demo as demo_data
from footprint.usecases.database import connect, database_path, migrate

from ..errors import fail_cleanly
from .service import serve

ROLE_NAMES = {"producer": "生产企业 producer", "verifier": "核查机构 verifier",
              "reviewer": "平台审核 reviewer", "admin": "管理员 admin"}
STATUS_NAMES = {"draft": "草稿 draft", "submitted": "已提交 submitted",
                "returned": "已退回 returned", "verified": "已核查 verified",
                "approved": "已批准 approved", "issued": "已签发标签 issued",
                "superseded": "已被取代 superseded", "revoked": "已撤销 revoked"}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def logins_table() -> str:
    return _table([[p.username, p.password, ROLE_NAMES[p.role], p.org.name]
                   for p in demo_data.PEOPLE],
                  ["用户名 username", "密码 password", "角色 role", "机构 organisation"])


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Seed and print the logins, then stop.")
@click.pass_context
@fail_cleanly
def demo(ctx, host, port, no_serve):
    """Seed demo data (once) and run the web service with demo logins (演示)."""
    home = footprint_home()
    db = connect(database_path(home))
    for version, name in migrate(db):
        click.echo(f"applied migration {version}: {name}")
    result = demo_data.seed(db, Engine(home=home))
    if result.created:
        click.echo(f"演示数据已写入 seeded demo data into {database_path(home)}: "
                   f"{result.organisations} organisations, {result.users} users, "
                   f"{len(result.submissions)} submissions")
    else:
        click.echo(f"演示数据已存在, 未添加任何内容 demo data already in {database_path(home)}; "
                   "nothing added")
    counts = demo_data.status_counts(db)
    db.close()
    click.echo("submissions 申报: " + ", ".join(
        f"{counts[s]} {STATUS_NAMES.get(s, s)}" for s in STATUS_NAMES if s in counts))

    click.echo("")
    click.echo(click.style(f"  http://{host}:{port}/login", bold=True))
    click.echo("")
    click.echo(logins_table())
    click.echo("")
    click.echo(click.style("warning: these passwords are published for the demonstration only; "
                           "never use them for real data.\n警告: 以上为公开的演示密码, 仅供演示, "
                           "切勿用于真实数据。", fg="yellow"))
    if no_serve:
        click.echo("not serving (--no-serve); run `footprint demo` again to start the service")
        return
    if host not in LOOPBACK:
        click.echo(click.style(f"warning: --host {host} exposes the demo, with its published "
                               "passwords, beyond this machine. 警告: 演示服务对外开放。",
                               fg="red"))
    # Sessions over plain http: for this local demo server only. `footprint serve` keeps the
    # cookies Secure (HTTPS) because this variable is set here, in the process that becomes
    # the demo's gunicorn, and nowhere else.
    os.environ["FOOTPRINT_INSECURE_COOKIES"] = "1"
    click.echo(click.style("note: local demo setting FOOTPRINT_INSECURE_COOKIES=1: session "
                           "cookies go over plain http; `footprint serve` behind HTTPS keeps "
                           "them secure.\n注意: 本地演示设置, 会话Cookie经http明文传输; 正式部署"
                           "请用 `footprint serve` 并启用HTTPS。", fg="yellow"))
    click.echo("Ctrl+C stops the service. 按 Ctrl+C 停止服务。")
    ctx.invoke(serve, host=host, port=port)
