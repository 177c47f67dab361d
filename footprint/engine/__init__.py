"""The engine: a bill of materials in, an explained and reproducible footprint out.

- ``pipeline``: ``Engine``, the steps strung together (expand, resolve, score, explain).
- ``registry``: what the plugins registered (datasets first), checked, with the data
  version's hash.
- ``background``: the Brightway project and the unit inventory of every background process.
- ``categories``: category parameters modelled as lines by the category's own plugin; grades
  and label extensions.
- ``resolve``: BOM lines to process quantities; sub-assemblies; electricity by region/year.
- ``compiled``: each product compiled once into rows (below ``scoring``: never imports it).
- ``scoring``: the arithmetic, a pure function of compiled rows, and the batch scorer.
- ``result``: the JSON-ready result with its breakdowns and reproducibility hash.
- ``dataversions``: the one home of data versions: which names the registered datasets
  offer, checking and selecting one, the registry under each, their hashes.
- ``reference``: the same footprint by plain bw2calc, to check the engine against.

``Engine`` is imported when first used (PEP 562): a module that needs only the registry or
the data versions (a repeated ``footprint calc`` that finds its result stored) does not load
numpy with the pipeline.
"""
__all__ = ["Engine"]


def __getattr__(name: str):
    if name == "Engine":
        # on first use, not at import: the pipeline brings numpy (see the docstring)
        from .pipeline import Engine
        globals()["Engine"] = Engine  # the next use is a plain lookup
        return Engine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
