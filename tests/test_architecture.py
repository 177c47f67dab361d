"""The layers hold: the import contracts of pyproject.toml, no import circle anywhere, few
function-level imports (each saying why), and plugins on the public API only.

docs/architecture.md draws what these tests enforce.
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from tests.conftest import editor_form

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("footprint", "web", "cli", "plugins")
# Imports inside functions that keep start-up fast (each says so in a comment): the budget.
# + Pillow, pycose and the entry points off `footprint verify`; + the engine and numpy off a
# repeated `footprint calc` that reads its stored result (the calculation, and Engine in
# footprint.engine); + off an offline `footprint verify`: ssl and urllib.request (asking the
# issuer), python-stdnum (checking a credit code: issuing only), cryptography's serialisation
# (private keys only), platformdirs (no FOOTPRINT_HOME set only); + psycopg off every command
# on SQLite (footprint.store.postgres, docs/postgresql.md); + babel's .po reader off every
# command that does not fail (cli.language: a failing one says its problems in Chinese too);
# + the use cases' words for a database off every command whose database did not fail
# (cli.errors). docs/performance.md has the figures.
FUNCTION_LEVEL_BUDGET = 26


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def _checkout_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.csv", "*.json", "*.po"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def _lint(checkout: Path) -> subprocess.CompletedProcess:
    """import-linter on ``checkout``, in a process of its own (it reconfigures logging)."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    return subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import "
                           "lint_imports; sys.exit(lint_imports(config_filename='pyproject.toml',"
                           " no_cache=True))"], cwd=checkout, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_import_contracts_hold():
    linted = _lint(ROOT)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "Contracts: 4 kept, 0 broken." in linted.stdout


def test_a_store_module_that_imports_labels_breaks_the_contracts(tmp_path):
    copy = _checkout_copy(tmp_path)
    assert _lint(copy).returncode == 0  # the copy itself is clean
    db = copy / "footprint" / "store" / "db.py"
    db.write_text(db.read_text() + "\nfrom ..labels import claims  # noqa: E402\n")
    linted = _lint(copy)
    assert linted.returncode == 1, linted.stdout
    assert "BROKEN" in linted.stdout
    assert "footprint.store.db -> footprint.labels.claims" in linted.stdout


def test_a_view_that_reads_the_store_breaks_the_contracts(tmp_path):
    copy = _checkout_copy(tmp_path)
    scan = copy / "web" / "scan.py"
    scan.write_text(scan.read_text() + "\nfrom footprint.store import labels  # noqa: E402\n")
    linted = _lint(copy)
    assert linted.returncode == 1, linted.stdout
    assert "web.scan -> footprint.store.labels" in linted.stdout


def _circles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), imports inside functions
    included."""
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(edges)))
    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_import_circle_anywhere(graph):
    assert _circles(graph) == []


def function_level_imports() -> list[tuple[Path, int, str]]:
    """(file, line, the comment above it) of every import inside a function of the product."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            tree = ast.parse("\n".join(lines))
            for function in ast.walk(tree):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                        found.append((path.relative_to(ROOT), node.lineno, above))
    return sorted(set(found))


def test_function_level_imports_are_few_and_each_says_why():
    found = function_level_imports()
    unexplained = [f"{path}:{line}" for path, line, above in found
                   if not above.startswith("#")
                   and not any(other[:2] == (path, line - 1) for other in found)]
    assert unexplained == [], "an import inside a function needs a comment above it saying " \
                              "why it is not at the top of the module"
    assert len(found) <= FUNCTION_LEVEL_BUDGET, [f"{p}:{n}" for p, n, _ in found]


def test_plugins_import_only_the_public_api(graph):
    reached = {(module, imported) for module in graph.modules if module.startswith("plugins")
               for imported in graph.find_modules_directly_imported_by(module)
               if imported.split(".")[0] == "footprint"}
    assert reached, "the built-in plugins import footprint"
    assert {imported for _, imported in reached} == {"footprint"}, sorted(reached)


def test_example_third_party_plugins_import_only_the_public_api():
    examples = [ROOT / "tests" / "example_tea", ROOT / "tests" / "example_plugins"]
    named = set()
    for path in (p for folder in examples for p in folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                named.add(node.module)
            elif isinstance(node, ast.Import):
                named.update(alias.name for alias in node.names)
    core = {name for name in named if name.split(".")[0] == "footprint"}
    assert core == {"footprint"}, core


# -- one BOM, from the producer's form to the consumer's scan page -----------------------------

def _project_file(filename: str) -> str | None:
    path = Path(filename)
    try:
        relative = path.resolve().relative_to(ROOT)
    except ValueError:
        return None
    if relative.parts[0] not in ("footprint", "web", "cli") or relative.suffix != ".py":
        return None  # templates render; the code they call is the web's own
    return str(relative)


class Walk:
    """Records, for every call into a file of the core, the web service or the CLI, the chain
    of those files on the stack; a chain that leaves a file and comes back to it (A -> B -> A)
    is a call running the wrong way."""

    def __init__(self):
        self.order: list[str] = []
        self.returns: set[tuple[str, ...]] = set()

    def __call__(self, frame, event, arg):
        if event != "call":
            return
        here = _project_file(frame.f_code.co_filename)
        if here is None:
            return
        if here not in self.order:
            self.order.append(here)
        chain: list[str] = []
        while frame is not None:
            name = _project_file(frame.f_code.co_filename)
            if name is not None and (not chain or chain[-1] != name):
                chain.append(name)
            frame = frame.f_back
        if len(set(chain)) != len(chain):
            self.returns.add(tuple(reversed(chain)))


def test_one_bom_from_the_form_to_the_scan_page_passes_each_file_once(service, clients,
                                                                      issuer):
    form = editor_form()
    engine = service.app.extensions["footprint_engine"]
    engine.registry, engine.inventory  # built before the walk: the walk is one BOM's
    producer, auditor, reviewer = clients["orchard"], clients["auditor"], clients["reviewer"]

    def one_bom(name: str):
        created = producer.post("/producer/submissions/new", data={**form, "product-name": name})
        url = created.headers["Location"]
        producer.post(f"{url}/submit", data={"verifier_org": "Sichuan Carbon Verification"})
        auditor.post(f"{url}/verify", data={"checklist": ["activity_data", "factors",
                                                          "boundary"]})
        reviewer.post(f"{url}/approve")
        detail = reviewer.get(url).get_data(as_text=True)
        scan_path = next(part.split('"')[0] for part in detail.split('href="')[1:]
                         if part.startswith("/L/"))
        return created, producer.get(scan_path)

    one_bom("Gear blank A")  # templates compiled and caches filled before the walk
    walk = Walk()
    sys.setprofile(walk)
    try:
        created, scanned = one_bom("Gear blank B")
    finally:
        sys.setprofile(None)
    assert created.status_code == 302 and scanned.status_code == 200
    assert walk.returns == set(), "\n".join(" -> ".join(chain) for chain in sorted(walk.returns))
    # the walk went down through every layer
    layers = {name.split("/")[0] if name.startswith("web") else "/".join(name.split("/")[:2])
              for name in walk.order}
    assert {"web", "footprint/usecases", "footprint/engine", "footprint/labels",
            "footprint/translog", "footprint/store"} <= layers


def test_the_architecture_page_names_every_module():
    """docs/architecture.md's "Modules" section names each module of the core, the web
    service and the command line: a new module without a place there fails here."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = page.split("\n## Modules", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", section))
    missing = [str(path.relative_to(ROOT)) for package in ("footprint", "web", "cli")
               for path in sorted((ROOT / package).rglob("*.py"))
               if path.stem != "__init__" and path.stem not in named]
    assert missing == []
