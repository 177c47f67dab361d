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
``FOOTPRINT_TRACE_PLUGINS``
    ``1``: log every hook call (hook, plugin, argument names, answer, time) to the logger
    ``footprint.plugins``, on stderr unless logging is configured otherwise.

A plugin that fails to load is logged once per process, at WARNING, to the logger
``footprint.plugins.loading``: one record whose message is a ``Message`` naming the plugin and
the error (the CLI says it in English and Chinese, the service's log in English).

The core calls hooks through ``FootprintPluginManager.answers``, one implementation at a time,
so it can cite the plugin behind every answer. An exception inside a plugin's hook becomes a
``PluginError`` naming the plugin and the hook (the original chained to it), except the
plugin's own ``InvalidInput``: bad input found by a category model reaches the user as it is.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
import reprlib
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass, field

import pluggy

from . import hookspecs
from .errors import InvalidInput, Message, PluginError

GROUP = "footprint"
DEFAULT_PLUGINS = ("footprint.defaults",)
TRACE_SWITCH = "FOOTPRINT_TRACE_PLUGINS"

log = logging.getLogger(__name__)
loading_log = logging.getLogger(f"{__name__}.loading")
# (plugin, error) already said: every manager made after the first meets the same failure
_said: set[tuple[str, str]] = set()
# an answer as a trace shows it: a few records of a list, long texts cut
_answer_repr = reprlib.Repr()
_answer_repr.maxlevel, _answer_repr.maxlist, _answer_repr.maxtuple = 2, 3, 3
_answer_repr.maxdict, _answer_repr.maxstring, _answer_repr.maxother = 4, 60, 60


@dataclass
class PluginInfo:
    name: str
    # where it came from, said in the reader's language: built in, entry point
    # (<distribution>), registered in code
    origin: str
    version: str = ""
    hooks: list[str] = field(default_factory=list)
    # why it was not loaded, if it was not: the plugin's own error as Python says it, or a
    # Message (an invalid hook)
    error: str = ""


class FootprintPluginManager(pluggy.PluginManager):
    """pluggy's manager plus a record of where each plugin came from and what failed."""

    def __init__(self, trace: bool = False) -> None:
        super().__init__(GROUP)
        self.add_hookspecs(hookspecs)
        self.origins: dict[str, PluginInfo] = {}
        self.failures: list[PluginInfo] = []
        self.tracing = trace  # pluggy's own ``trace`` attribute is its internal tracer
        self._pluggy_calls: list[float] = []  # start times of hooks called through pluggy
        if trace:
            _show_trace()
            self.add_hookcall_monitoring(self._before_pluggy_call, self._after_pluggy_call)

    def describe(self) -> list[PluginInfo]:
        """Every registered plugin with its hooks, then every plugin that failed to load."""
        out = []
        for name, plugin in self.list_name_plugin():
            info = self.origins.get(name) or PluginInfo(name, Message("registered in code"))
            info.hooks = sorted(impl_hook.name for impl_hook in self.get_hookcallers(plugin) or [])
            out.append(info)
        return sorted(out, key=lambda i: i.name) + self.failures

    def answers(self, hook_name: str, /, *, only: Collection[str] | None = None,
                **kwargs):
        """Call a hook's implementations one by one in pluggy's order, yielding
        (plugin name, answer) for every answer that is not None. ``only``: ask only the
        plugins of these names (None: every plugin).

        pluggy's own call merges the answers and forgets which plugin gave which; a footprint
        must cite the plugin behind every factor and model, so the core calls through here.
        """
        caller = getattr(self.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):  # pluggy calls the last-registered first
            if only is not None and impl.plugin_name not in only:
                continue
            if impl.hookwrapper or impl.wrapper:
                raise PluginError(Message(
                    "plugin %(plugin)s: %(hook)s answers with records; a hook wrapper cannot "
                    "take part", plugin=repr(impl.plugin_name), hook=hook_name))
            result = self._call(hook_name, impl, {name: kwargs[name] for name in impl.argnames})
            if result is not None:
                yield impl.plugin_name, result

    def _call(self, hook_name: str, impl, arguments: dict):
        """One implementation's answer; its exception named after the plugin and the hook."""
        started = time.perf_counter()
        try:
            result = impl.function(**arguments)
        except InvalidInput as exc:  # the producer's mistake, found by the plugin: as it is
            self._traced(hook_name, impl.plugin_name, arguments, exc, started)
            raise
        except Exception as exc:
            self._traced(hook_name, impl.plugin_name, arguments, exc, started)
            # the plugin's own error as it wrote it
            raise PluginError(Message("plugin %(plugin)s: %(hook)s raised %(error)s",
                                      plugin=repr(impl.plugin_name), hook=hook_name,
                                      error=f"{type(exc).__name__}: {exc}")) from exc
        self._traced(hook_name, impl.plugin_name, arguments, result, started)
        return result

    def _traced(self, hook_name: str, plugin: str, arguments: dict, answer, started: float):
        if self.tracing:
            _trace(hook_name, plugin, tuple(arguments), answer, time.perf_counter() - started)

    def _before_pluggy_call(self, hook_name, hook_impls, kwargs) -> None:
        self._pluggy_calls.append(time.perf_counter())

    def _after_pluggy_call(self, outcome, hook_name, hook_impls, kwargs) -> None:
        """A hook called through pluggy itself (``pm.hook.<name>(...)``): one trace line for
        all its implementations."""
        seconds = time.perf_counter() - self._pluggy_calls.pop()
        answer = outcome.exception if outcome.exception is not None else outcome.get_result()
        _trace(hook_name, ", ".join(impl.plugin_name for impl in reversed(hook_impls)),
               tuple(kwargs), answer, seconds)

    def call_each(self, hook_name: str, /, *, only: Collection[str] | None = None,
                  **kwargs) -> list[tuple[str, object]]:
        """Every answer, with the plugin that gave it."""
        return list(self.answers(hook_name, only=only, **kwargs))

    def call_first(self, hook_name: str, /, *, only: Collection[str] | None = None,
                   **kwargs) -> tuple[str, object] | None:
        """The first answer of a single-answer hook, with the plugin that gave it."""
        return next(self.answers(hook_name, only=only, **kwargs), None)


def _trace(hook_name: str, plugin: str, arguments: tuple, answer, seconds: float) -> None:
    log.debug("%s: %s(%s) -> %s (%.3f ms)", plugin, hook_name, ", ".join(arguments),
              _describe_answer(answer), seconds * 1e3,
              extra={"hook": hook_name, "plugin": plugin, "arguments": arguments,
                     "answer": answer, "seconds": seconds})


def _describe_answer(answer) -> str:
    if isinstance(answer, BaseException):
        return f"raised {type(answer).__name__}: {answer}"
    if isinstance(answer, (list, tuple)):
        return f"{type(answer).__name__} of {len(answer)}: {_answer_repr.repr(answer)}"
    return _answer_repr.repr(answer)


def _show_trace() -> None:
    """Tracing asked for and logging not configured: show the trace on stderr, as a switch
    for people at a terminal should."""
    log.setLevel(logging.DEBUG)
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        log.addHandler(handler)


def _names(env_value: str | None) -> set[str] | None:
    if env_value is None:
        return None
    return {part.strip() for part in env_value.split(",") if part.strip()}


def get_plugin_manager(
    *, load: set[str] | None | bool = None, block: set[str] | None = None,
    trace: bool | None = None,
) -> FootprintPluginManager:
    """A fresh, fully loaded manager.

    ``load``: True or None loads every entry point unless ``FOOTPRINT_LOAD_PLUGINS`` says
    otherwise; False loads none; a set loads only those names. ``block`` adds to
    ``FOOTPRINT_BLOCK_PLUGINS``. ``trace``: None follows ``FOOTPRINT_TRACE_PLUGINS`` (set and
    not "0" traces).
    """
    if load is None or load is True:
        only = _names(os.environ.get("FOOTPRINT_LOAD_PLUGINS"))
    elif load is False:
        only = set()
    else:
        only = set(load)
    blocked = (_names(os.environ.get("FOOTPRINT_BLOCK_PLUGINS")) or set()) | set(block or ())

    if trace is None:
        trace = os.environ.get(TRACE_SWITCH, "").strip() not in ("", "0")
    pm = FootprintPluginManager(trace=trace)
    for module_name in DEFAULT_PLUGINS:
        if module_name in blocked:
            continue
        pm.register(importlib.import_module(module_name), name=module_name)
        pm.origins[module_name] = PluginInfo(module_name, Message("built in"),
                                             version=_own_version())
    pm.check_pending()  # the defaults must be right; fail loudly if not

    for entry_point in importlib.metadata.entry_points(group=GROUP):
        if entry_point.name in blocked or (only is not None and entry_point.name not in only):
            continue
        _load_entry_point(pm, entry_point)
    return pm


def _load_entry_point(pm: FootprintPluginManager, entry_point) -> None:
    dist = getattr(entry_point, "dist", None)
    origin = Message("entry point (%(distribution)s)", distribution=dist.name) if dist else \
        Message("entry point")
    info = PluginInfo(entry_point.name, origin, version=dist.version if dist else "")
    if pm.get_plugin(entry_point.name) is not None:
        return  # the same name from two distributions: the first one found stays
    try:
        plugin = entry_point.load()
        pm.register(plugin, name=entry_point.name)
    except Exception as exc:  # one broken plugin must not stop the others
        _not_loaded(pm, info, f"{type(exc).__name__}: {exc}")
        return
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:  # e.g. a misspelt hook name
        pm.unregister(name=entry_point.name)
        _not_loaded(pm, info, Message("invalid hook: %(error)s", error=str(exc)))
        return
    pm.origins[entry_point.name] = info


def _not_loaded(pm: FootprintPluginManager, info: PluginInfo, error: str | Message) -> None:
    """Record a plugin that failed to load, and say so once per process."""
    info.error = error
    pm.failures.append(info)
    if (info.name, str(error)) not in _said:
        _said.add((info.name, str(error)))
        loading_log.warning(Message('plugin "%(name)s" not loaded: %(error)s', name=info.name,
                                    error=error))


def _own_version() -> str:
    try:
        return importlib.metadata.version("footprint")
    except importlib.metadata.PackageNotFoundError:
        return ""
