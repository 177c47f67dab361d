"""The plugin host: one ``get_plugin_manager()`` for the core, the CLI and the web service.

Built-in defaults are ordinary plugins on the public hooks, marked ``trylast`` so that any
installed plugin answering the same key wins. Entry points (group ``footprint``) are loaded
when a manager is made, never on import of footprint, each in its own guard: a broken plugin
is reported and skipped.

Environment switches (also arguments of ``get_plugin_manager``):

``FOOTPRINT_LOAD_PLUGINS``
    unset: load every entry point; empty: load none; ``a,b``: load only those names.
``FOOTPRINT_BLOCK_PLUGINS``
    ``a,b``: never register these names (entry points or defaults).
"""
from __future__ import annotations

import importlib
import importlib.metadata
import os
import warnings
from dataclasses import dataclass, field

import pluggy

from . import hookspecs
from .errors import PluginError

GROUP = "footprint"
DEFAULT_PLUGINS = ("footprint.defaults",)


@dataclass
class PluginInfo:
    name: str
    origin: str  # "default", "entry point (<distribution>)", "registered in code"
    version: str = ""
    hooks: list[str] = field(default_factory=list)
    error: str = ""  # why it was not loaded, if it was not


class FootprintPluginManager(pluggy.PluginManager):
    """pluggy's manager plus a record of where each plugin came from and what failed."""

    def __init__(self) -> None:
        super().__init__(GROUP)
        self.add_hookspecs(hookspecs)
        self.origins: dict[str, PluginInfo] = {}
        self.failures: list[PluginInfo] = []

    def describe(self) -> list[PluginInfo]:
        """Every registered plugin with its hooks, then every plugin that failed to load."""
        out = []
        for name, plugin in self.list_name_plugin():
            info = self.origins.get(name) or PluginInfo(name, "registered in code")
            info.hooks = sorted(impl_hook.name for impl_hook in self.get_hookcallers(plugin) or [])
            out.append(info)
        return sorted(out, key=lambda i: i.name) + self.failures

    def answers(self, hook_name: str, **kwargs):
        """Call a hook's implementations one by one in pluggy's order, yielding
        (plugin name, answer) for every answer that is not None.

        pluggy's own call merges the answers and forgets which plugin gave which; a footprint
        must cite the plugin behind every factor and model, so the core calls through here.
        """
        caller = getattr(self.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):  # pluggy calls the last-registered first
            if impl.hookwrapper or impl.wrapper:
                raise PluginError(f"plugin {impl.plugin_name!r}: {hook_name} answers with records; "
                                  "a hook wrapper cannot take part")
            result = impl.function(**{name: kwargs[name] for name in impl.argnames})
            if result is not None:
                yield impl.plugin_name, result

    def call_each(self, hook_name: str, **kwargs) -> list[tuple[str, object]]:
        """Every answer, with the plugin that gave it."""
        return list(self.answers(hook_name, **kwargs))

    def call_first(self, hook_name: str, **kwargs) -> tuple[str, object] | None:
        """The first answer of a single-answer hook, with the plugin that gave it."""
        return next(self.answers(hook_name, **kwargs), None)


def _names(env_value: str | None) -> set[str] | None:
    if env_value is None:
        return None
    return {part.strip() for part in env_value.split(",") if part.strip()}


def get_plugin_manager(
    *, load: set[str] | None | bool = None, block: set[str] | None = None
) -> FootprintPluginManager:
    """A fresh, fully loaded manager.

    ``load``: True or None loads every entry point unless ``FOOTPRINT_LOAD_PLUGINS`` says
    otherwise; False loads none; a set loads only those names. ``block`` adds to
    ``FOOTPRINT_BLOCK_PLUGINS``.
    """
    if load is None or load is True:
        only = _names(os.environ.get("FOOTPRINT_LOAD_PLUGINS"))
    elif load is False:
        only = set()
    else:
        only = set(load)
    blocked = (_names(os.environ.get("FOOTPRINT_BLOCK_PLUGINS")) or set()) | set(block or ())

    pm = FootprintPluginManager()
    for module_name in DEFAULT_PLUGINS:
        if module_name in blocked:
            continue
        pm.register(importlib.import_module(module_name), name=module_name)
        pm.origins[module_name] = PluginInfo(module_name, "default", version=_own_version())
    pm.check_pending()  # the defaults must be right; fail loudly if not

    for entry_point in importlib.metadata.entry_points(group=GROUP):
        if entry_point.name in blocked or (only is not None and entry_point.name not in only):
            continue
        _load_entry_point(pm, entry_point)
    return pm


def _load_entry_point(pm: FootprintPluginManager, entry_point) -> None:
    dist = getattr(entry_point, "dist", None)
    origin = f"entry point ({dist.name})" if dist else "entry point"
    info = PluginInfo(entry_point.name, origin, version=dist.version if dist else "")
    if pm.get_plugin(entry_point.name) is not None:
        return  # the same name from two distributions: the first one found stays
    try:
        plugin = entry_point.load()
        pm.register(plugin, name=entry_point.name)
    except Exception as exc:  # one broken plugin must not stop the others
        info.error = f"{type(exc).__name__}: {exc}"
        pm.failures.append(info)
        warnings.warn(f"footprint plugin {entry_point.name!r} not loaded: {info.error}",
                      stacklevel=3)
        return
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:  # e.g. a misspelt hook name
        pm.unregister(name=entry_point.name)
        info.error = f"invalid hook: {exc}"
        pm.failures.append(info)
        warnings.warn(f"footprint plugin {entry_point.name!r} not loaded: {info.error}",
                      stacklevel=3)
        return
    pm.origins[entry_point.name] = info


def _own_version() -> str:
    try:
        return importlib.metadata.version("footprint")
    except importlib.metadata.PackageNotFoundError:
        return ""
