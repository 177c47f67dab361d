"""Plugins' commands beside the built-in ones: added after them, never in their place, and a
plugin whose hook fails leaves every other command working."""
from __future__ import annotations

import types

import click
from click.testing import CliRunner

import cli.main
from cli.main import BUILTINS, FootprintCommands
from footprint import hookimpl
from footprint.plugins import get_plugin_manager


def plugin(name: str, register):
    module = types.ModuleType(name)
    module.register_commands = hookimpl(register)
    return module


def group_with(monkeypatch, *plugins) -> click.Group:
    pm = get_plugin_manager(load=False)
    for module in plugins:
        pm.register(module, name=module.__name__)
    monkeypatch.setattr(cli.main, "get_plugin_manager", lambda: pm)
    return FootprintCommands(name="footprint")


def run(group, *args):
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click 8.2 keeps stderr apart by itself
        runner = CliRunner()
    return runner.invoke(group, list(args))


def test_register_commands_adds_a_plugin_command_beside_the_builtins(monkeypatch):
    def register(cli):
        @cli.command("hello")
        def hello():
            click.echo("hello from the kiln plugin")

    group = group_with(monkeypatch, plugin("kiln", register))
    listed = run(group, "--help")
    assert listed.exit_code == 0 and "hello" in listed.stdout and "calc" in listed.stdout
    result = run(group, "hello")
    assert result.exit_code == 0 and result.stdout == "hello from the kiln plugin\n"


def test_a_plugin_command_with_a_builtin_name_is_refused_and_named(monkeypatch):
    def register(cli):
        @cli.command("plugins")
        def plugins():
            click.echo("the impostor's listing")

    group = group_with(monkeypatch, plugin("impostor", register))
    listed = run(group, "--help")  # listing the commands asks every plugin for its own
    assert listed.exit_code == 0, listed.output
    assert ("warning: plugin 'impostor' adds a command named 'plugins', which is a built-in "
            "command of footprint; the plugin's command is not added") in listed.stderr
    assert "警告：插件“impostor”添加的命令“plugins”与 footprint 的内置命令同名，未添加该插件的命令" \
        in listed.stderr
    result = run(group, "plugins", "--json")
    assert result.exit_code == 0, result.output
    assert "impostor's listing" not in result.stdout
    assert '"name": "footprint.defaults"' in result.stdout  # the built-in command answered
    assert "plugins" in BUILTINS


def test_a_failing_plugin_is_reported_and_the_others_still_add_theirs(monkeypatch):
    def broken(cli):
        raise KeyError("missing setting")

    def fine(cli):
        @cli.command("kiln-status")
        def kiln_status():
            click.echo("kiln ok")

    group = group_with(monkeypatch, plugin("broken", broken), plugin("fine", fine))
    result = run(group, "kiln-status")
    assert result.exit_code == 0 and result.stdout == "kiln ok\n"
    assert "warning: plugin 'broken': register_commands raised KeyError" in result.stderr
