"""docs/hooks.md must document every hook with its exact signature, and its example must run;
every code block of the docs and the README closes, so no paragraph after it reads as code."""
from __future__ import annotations

import inspect
import re
import types
from pathlib import Path

import click
from click.testing import CliRunner

from footprint import Process, Source, hookimpl, hookspecs
from footprint.plugins import get_plugin_manager
from footprint.engine.registry import Registry, Shadowed

ROOT = Path(__file__).resolve().parent.parent
HOOKS_DOC = ROOT / "docs" / "hooks.md"
HEADING = re.compile(r"^### (\w+)(\(.*\))[ \t]*$", re.MULTILINE)


def spec_signatures(module=hookspecs) -> dict[str, str]:
    """Hook name -> '(args)' for every function pluggy treats as a spec in ``module``."""
    return {name: str(inspect.signature(function))
            for name, function in vars(module).items()
            if inspect.isfunction(function) and hasattr(function, "footprint_spec")}


def documented_hooks(text: str) -> list[tuple[str, str]]:
    return HEADING.findall(text)


def doc_problems(text: str, specs: dict[str, str]) -> list[str]:
    problems = []
    documented: dict[str, str] = {}
    for name, args in documented_hooks(text):
        if name in documented:
            problems.append(f"{name} documented twice")
        documented[name] = args
    for name, args in specs.items():
        if name not in documented:
            problems.append(f"{name}{args} is not documented")
        elif documented[name] != args:
            problems.append(f"{name} documented as {name}{documented[name]}, spec is {name}{args}")
    problems += [f"{name}{args} is documented but is not a hook"
                 for name, args in documented.items() if name not in specs]
    return problems


def test_every_hook_is_documented_with_its_signature():
    assert doc_problems(HOOKS_DOC.read_text(encoding="utf-8"), spec_signatures()) == []


def test_the_spec_reader_finds_the_hooks():
    # guards the check above against passing vacuously (e.g. if the marker attribute changed)
    specs = spec_signatures()
    assert specs["register_flows"] == "(registry)"
    assert specs["register_commands"] == "(cli)"
    assert "hookimpl" not in specs and "hookspec" not in specs


def test_the_check_catches_missing_wrong_and_stale_hooks():
    specs = {"register_a": "(registry)", "register_b": "(registry)", "register_c": "(cli)"}
    text = ("### register_a(registry)\n"
            "### register_b(registry, extra)\n"
            "### register_gone(registry)\n"
            "### register_a(registry)\n")
    assert doc_problems(text, specs) == [
        "register_a documented twice",
        "register_b documented as register_b(registry, extra), spec is register_b(registry)",
        "register_c(cli) is not documented",
        "register_gone(registry) is documented but is not a hook",
    ]


# -- the example plugin in hooks.md is real code -------------------------------------------

def example_plugin() -> types.ModuleType:
    text = HOOKS_DOC.read_text(encoding="utf-8")
    section = text.split("## A complete example", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    module = types.ModuleType("footprint_steel")
    exec(compile(code, f"{HOOKS_DOC}:example", "exec"), module.__dict__)
    return module


def test_the_documented_example_plugin_works():
    pm = get_plugin_manager(load=False)
    pm.register(example_plugin(), name="steel")
    pm.check_pending()  # every function in the example names a real hook
    registry = Registry.from_plugins(pm)
    steel = registry.processes["crude_steel"]
    assert steel.plugin == "steel"
    assert steel.source.dataset == "worldsteel_2022"
    assert registry.categories["steel_part"].plugin == "steel"

    @click.group()
    def cli():
        pass

    pm.hook.register_commands(cli=cli)
    result = CliRunner().invoke(cli, ["steel-source"])
    assert result.exit_code == 0
    assert "1.91 t CO2" in result.output


def test_precedence_is_as_documented():
    # hooks.md: an installed plugin's plain hookimpl beats the trylast defaults, and the
    # default's answer for the same key is kept in Registry.shadowed
    override = types.ModuleType("override")

    @hookimpl
    def register_background(registry):
        return [Process("diesel", "Diesel", "柴油", "kg", (("CO2_fossil", 3.0),),
                        Source("mine", "my own measurement", "high"))]

    override.register_background = register_background
    pm = get_plugin_manager(load=False)
    pm.register(override, name="mine")
    registry = Registry.from_plugins(pm)
    assert registry.processes["diesel"].plugin == "mine"
    assert registry.processes["diesel"].emissions == (("CO2_fossil", 3.0),)
    assert Shadowed("register_background", "diesel", "footprint.defaults", "mine") \
        in registry.shadowed


# -- every hook is tested --------------------------------------------------------------------

TESTS = Path(__file__).resolve().parent


def untested_hooks(test_sources: list[str], specs: dict[str, str]) -> list[str]:
    """Hooks no test is named for (``def test_<hook>...``)."""
    return [name for name in specs
            if not any(re.search(rf"^def test_{name}(_\w*)?\(", text, re.MULTILINE)
                       for text in test_sources)]


def test_every_hook_has_a_test_named_for_it():
    sources = [path.read_text(encoding="utf-8") for path in TESTS.glob("test_*.py")]
    assert untested_hooks(sources, spec_signatures()) == []


def test_the_test_name_check_catches_an_untested_hook():
    specs = {"register_a": "(registry)", "register_ab": "(registry)", "register_b": "(cli)"}
    sources = ["def test_register_a_adds_an_a(engine):\n", "def test_register_b(cli):\n"]
    assert untested_hooks(sources, specs) == ["register_ab"]


# -- code blocks ---------------------------------------------------------------------------

# a fence as CommonMark reads one: up to 3 spaces, then 3 or more ` or ~, then the rest
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def unclosed_fences(text: str) -> list[str]:
    """Where a fenced code block does not close as its writer meant: a closing fence with text
    after it (CommonMark reads the line as code, so the block goes on), or a block still open
    at the end of the file."""
    problems, opened = [], None
    for number, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if opened is None:
            if fence:
                opened = (fence.group(1), number)
        elif fence and fence.group(1)[0] == opened[0][0] and \
                len(fence.group(1)) >= len(opened[0]):
            if fence.group(2).strip():
                problems.append(f"line {number}: text after the fence closing the block of "
                                f"line {opened[1]} keeps it open")
            else:
                opened = None
    if opened is not None:
        problems.append(f"line {opened[1]}: the code block is never closed")
    return problems


def test_every_code_block_of_the_docs_and_readme_closes():
    pages = sorted(ROOT.glob("docs/**/*.md")) + [ROOT / "README.md"]
    assert len(pages) > 20  # the docs were found
    found = {str(page.relative_to(ROOT)): unclosed_fences(page.read_text(encoding="utf-8"))
             for page in pages}
    assert {page: problems for page, problems in found.items() if problems} == {}


def test_the_fence_check_catches_text_after_a_closing_fence_and_an_open_block():
    assert unclosed_fences("```sh\nrun\n```\ntext\n~~~~\n```\n~~~~\n") == []
    assert unclosed_fences("```\ncode\n``` The\ntext\n```\n") == [
        "line 3: text after the fence closing the block of line 1 keeps it open"]
    assert unclosed_fences("text\n```json\n{}\n") == [
        "line 2: the code block is never closed"]
