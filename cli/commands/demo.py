"""``footprint demo``: migrate, seed the demo data once, print the logins, run the service:
on loopback over http, or with ``--lan`` over HTTPS on this machine's network address so a
phone on the same network opens the labels' QR codes (footprint/usecases/demotls.py)."""
from __future__ import annotations

import os
import unicodedata

import click

from footprint.engine import Engine
from footprint.errors import Conflict
from footprint.settings import footprint_home
from footprint.usecases import demo as demo_data
from footprint.usecases.database import connect, database_location, database_named, migrate
from footprint.usecases.demotls import demo_certificate, lan_address

from ..errors import fail_cleanly
from .service import serve

ROLE_NAMES = {"producer": "生产企业 producer", "verifier": "核查机构 verifier",
              "reviewer": "平台审核 reviewer", "admin": "管理员 admin", "bank": "银行 bank"}
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
@click.option("--lan", is_flag=True,
              help="Serve HTTPS on every interface (not --host) with a self-signed "
                   "certificate, the labels' QR codes naming this machine's network address, "
                   "so a phone on the same network opens them.")
@click.option("--tls", is_flag=True, help="Serve HTTPS on --host (self-signed certificate).")
@click.option("--no-serve", is_flag=True, help="Seed and print the logins, then stop.")
@click.pass_context
@fail_cleanly
def demo(ctx, host, port, lan, tls, no_serve):
    """Seed demo data (once) and run the web service with demo logins (演示)."""
    home = footprint_home()
    public = host
    if lan:
        public = lan_address()
        if public is None:
            raise Conflict("this machine has no network address for a phone to reach "
                           "(本机未连接局域网); join a network, or run the demo without --lan")
        host = "0.0.0.0"
    db = connect(database_location(home))
    for version, name in migrate(db):
        click.echo(f"applied migration {version}: {name}")
    result = demo_data.seed(db, Engine(home=home))
    if result.created:
        click.echo(f"演示数据已写入 seeded demo data into {database_named(home)}: "
                   f"{result.organisations} organisations, {result.users} users, "
                   f"{len(result.submissions)} submissions")
    else:
        click.echo(f"演示数据已存在, 未添加任何内容 demo data already in {database_named(home)}; "
                   "nothing added")
    counts = demo_data.status_counts(db)
    db.close()
    click.echo("submissions 申报: " + ", ".join(
        f"{counts[s]} {STATUS_NAMES.get(s, s)}" for s in STATUS_NAMES if s in counts))

    cert = demo_certificate(home, [public]) if lan or tls else None
    scheme = "https" if cert else "http"
    click.echo("")
    click.echo(click.style(f"  {scheme}://{_url_host(public)}:{port}/login", bold=True))
    click.echo("")
    click.echo(logins_table())
    click.echo("")
    click.echo(click.style("warning: these passwords are published for the demonstration only; "
                           "never use them for real data.\n警告: 以上为公开的演示密码, 仅供演示, "
                           "切勿用于真实数据。", fg="yellow"))
    if cert is not None:
        click.echo("")
        click.echo(phone_steps(f"{_url_host(public)}:{port}", cert) if lan else
                   certificate_note(cert))
    if no_serve:
        click.echo("not serving (--no-serve); run `footprint demo` again to start the service")
        return
    if host not in LOOPBACK:
        click.echo(click.style(f"warning: the demo, with its published passwords, is open to "
                               f"the network on port {port}. 警告: 演示服务对局域网开放。",
                               fg="red"))
    if cert is None:
        # Sessions over plain http: for this local demo server only. `footprint serve` keeps
        # the cookies Secure (HTTPS) because this variable is set here, in the process that
        # becomes the demo's gunicorn, and nowhere else.
        os.environ["FOOTPRINT_INSECURE_COOKIES"] = "1"
        click.echo(click.style("note: local demo setting FOOTPRINT_INSECURE_COOKIES=1: session "
                               "cookies go over plain http; `footprint serve` behind HTTPS "
                               "keeps them secure.\n注意: 本地演示设置, 会话Cookie经http明文传输;"
                               " 正式部署请用 `footprint serve` 并启用HTTPS。", fg="yellow"))
    else:
        # The QR codes are drawn when a page asks for them, with this host: every label
        # printed from now on opens this service over HTTPS, whichever address the page was
        # opened at (labels printed before keep the host they were printed with).
        os.environ["FOOTPRINT_PUBLIC_HOST"] = f"{_url_host(public)}:{port}"
    click.echo("Ctrl+C stops the service. 按 Ctrl+C 停止服务。")
    tls = {"certfile": str(cert.cert_path), "keyfile": str(cert.key_path)} if cert else {}
    ctx.invoke(serve, host=host, port=port, **tls)


def _url_host(host: str) -> str:
    return "localhost" if host in ("::1", "0.0.0.0") else host


def certificate_note(cert) -> str:
    return (f"HTTPS with a self-signed certificate ({cert.cert_path}); the browser warns once: "
            f"accept it.\n使用自签名证书, 浏览器会提示不安全, 接受即可。\n"
            f"  SHA-256 {cert.fingerprint}")


def phone_steps(address: str, cert) -> str:
    """What a phone user does to open the demo's labels, in Chinese and English."""
    return "\n".join([
        click.style("用手机扫码验证标签 To scan the labels with a phone:", bold=True),
        "  1. 手机连接与本机相同的 Wi-Fi 或局域网。",
        "     Join the phone to the same Wi-Fi or network as this computer.",
        f"  2. 在手机浏览器打开 https://{address}/ , 出现证书警告时选择 \"高级\" → \"继续访问\""
        "(演示用自签名证书)。",
        f"     Open https://{address}/ in the phone's browser and accept the warning about "
        "the self-signed certificate (Advanced → Proceed).",
        "  3. 在本机登录 (如 reviewer), 打开已签发标签的申报并显示标签, 用手机相机扫描屏幕上"
        "或打印出的二维码: 二维码里的网址指向本机。",
        "     On this computer, log in (e.g. as reviewer), open a submission with an issued "
        "label and show the label; scan its QR code, on the screen or printed, with the "
        "phone's camera: the code's URL leads to this computer.",
        f"  证书 certificate: {cert.cert_path}",
        f"  SHA-256 {cert.fingerprint}",
        "  打不开? 检查本机防火墙是否放行该端口。 Nothing opens? Let the port through this "
        "computer's firewall.",
    ])
