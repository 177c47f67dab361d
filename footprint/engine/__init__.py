"""The engine: a bill of materials in, an explained and reproducible footprint out.

- ``pipeline``: ``Engine``, the steps strung together (expand, resolve, score, explain).
- ``registry``: what the plugins registered, checked, with the data version's hash.
- ``background``: the Brightway project and the unit inventory of every background process.
- ``categories``: category parameters modelled as lines; grades and label extensions.
- ``resolve``: BOM lines to process quantities; sub-assemblies; electricity by region/year.
- ``compiled``: each product compiled once into rows (below ``scoring``, which it never imports).
- ``scoring``: the arithmetic, a pure function of compiled rows, and the batch scorer.
- ``result``: the JSON-ready result with its breakdowns and reproducibility hash.
- ``dataversions``: the data versions the plugins can load, with their hashes.
- ``reference``: the same footprint by plain bw2calc, to check the engine against.
"""
from .pipeline import Engine

__all__ = ["Engine"]
