"""The BOM file argument and the ``--set`` option that ``footprint calc`` and ``footprint
validate`` share."""
from __future__ import annotations

from pathlib import Path

import click

bom_path = click.argument("bom", type=click.Path(dir_okay=False, path_type=Path))
header_option = click.option(
    "--set", "settings", multiple=True, metavar="FIELD=VALUE",
    help="A header field of a CSV or XLSX file, as its header block names it: "
         "产品名称=..., 地区=四川, 声明单位='1 kg', category=oranges, "
         "parameters.yield_kg_per_ha=30000 (repeatable; wins over the file).")
