"""``footprint``: calculate, validate and inspect footprints; run and operate the service.

Exit codes: 0 done, 1 the work failed, 2 bad input or a thing named that is not there (the
rule, once: cli/errors.py).

Each built-in command lives in a module of cli/commands/ and is imported only when it runs,
so a quick command (``footprint verify``) does not pay for loading the others. Plugins add
commands through the ``register_commands`` hook, after the built-ins: a plugin's command that
takes a built-in's name is refused with a warning naming the plugin, and a plugin whose hook
fails is reported while every other command still works.
"""
from __future__ import annotations

import importlib

import click

from footprint import FootprintError, PluginError
from footprint.errors import Message

from .errors import fail, failed_database, failed_on_a_path, say_warnings_of, warn
from .helptext import SpokenContext, also_in_chinese, speak
from .language import language_option

# a plugin that fails to load: one line in English and one in Chinese on stderr, whichever
# command loads the plugins (footprint.plugins)
say_warnings_of("footprint.plugins.loading")

# command name -> "module:attribute" under cli.commands
BUILTINS = {
    "calc": "calculate:calc",
    "validate": "bomfile:validate",
    "factors": "reference:factors",
    "regions": "reference:regions",
    "categories": "reference:categories",
    "plugins": "reference:plugins",
    "data": "data:data",
    "library": "libraries:library",
    "db": "service:db",
    "backup": "backup:backup",
    "users": "service:users",
    "orgs": "service:orgs",
    "tokens": "service:tokens",
    "serve": "service:serve",
    "demo": "demo:demo",
    "log": "log:log",
    "keys": "keys:keys",
    "verify": "labels:verify",
    "recalc": "recalc:recalc",
    "security": "security:security_group",
    "background": "backgrounds:background",
    "pact": "pact:pact",
    "accounts": "accounts:accounts",
    "consents": "loans:consents_group",
    "loans": "loans:loans_group",
    "peers": "peers:peers",
    "registry": "registry:registry",
    "bodies": "bodies:bodies",
    "publish": "publish:publish",
}


def get_plugin_manager():
    """The plugin manager, loaded when a command needs it (reading the entry points is a
    good part of a quick command's start)."""
    # not at the top: `footprint verify` never reads the entry points
    from footprint.plugins import get_plugin_manager as manager
    return manager()


class BuiltinName(Exception):
    """A plugin tried to add a command under a built-in command's name."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class FootprintCommands(click.Group):
    """The built-in commands, loaded when used, and the plugins' commands, each speaking
    the chosen language (cli.helptext)."""

    context_class = SpokenContext

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plugin_commands_added = False

    def list_commands(self, ctx) -> list[str]:
        self.add_plugin_commands()
        return sorted({*BUILTINS, *self.commands})

    def get_command(self, ctx, name):
        if name in BUILTINS:
            module, _, attribute = BUILTINS[name].partition(":")
            return speak(getattr(importlib.import_module(f"cli.commands.{module}"), attribute))
        self.add_plugin_commands()
        return super().get_command(ctx, name)

    def add_command(self, cmd, name=None) -> None:
        name = name or cmd.name
        if name in BUILTINS:
            raise BuiltinName(name)
        super().add_command(speak(cmd), name)

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:  # a refused command line: in Chinese too
            raise also_in_chinese(exc)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:  # a subcommand's refused line
            raise also_in_chinese(exc)
        except FootprintError as exc:  # what a command leaves to its caller: a database
            fail(exc)                  # that cannot be opened, ...
        except Exception as exc:  # ... or that failed under it; a path the system refused
            said = failed_database(exc) or failed_on_a_path(exc)
            if said is None:
                raise
            fail(said)

    def add_plugin_commands(self) -> None:
        """Every plugin's commands, once; one that fails is reported and the others work."""
        if self._plugin_commands_added:
            return
        self._plugin_commands_added = True
        pm = get_plugin_manager()
        names = dict.fromkeys(i.plugin_name for i in pm.hook.register_commands.get_hookimpls())
        for name in names:  # one plugin at a time, in the order they were registered
            try:
                pm.call_each("register_commands", only={name}, cli=self)
            except PluginError as exc:
                if isinstance(exc.__cause__, BuiltinName):
                    warn(Message("plugin '%(plugin)s' adds a command named '%(name)s', which "
                                 "is a built-in command of footprint; the plugin's command is "
                                 "not added", plugin=name, name=exc.__cause__.name))
                else:
                    warn(Message("%(problem)s; its commands are not available",
                                 problem=exc.message))


@click.group(cls=FootprintCommands)
@click.version_option(package_name="footprint")
@language_option
def cli():
    """Product carbon footprints and carbon labels."""
