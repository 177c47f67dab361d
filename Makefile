# Entry points for a new machine with only Python 3.11: `make demo` (or `make demo-lan`, for a
# phone on the same network) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Demo data lives inside the checkout so a demo never touches the user's own data directory.
DEMO_HOME ?= $(CURDIR)/.footprint-home
# Where the demo service listens: `make demo DEMO_PORT=8001` if 8000 is taken.
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000

# A CJK font so PNG and PDF labels print the Chinese product name (the demo and the tests),
# and Debian's Chromium for the browser test (the tests only); installed here so a fresh
# machine needs no hand work.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
CHROMIUM := /usr/bin/chromium
# Debian's PostgreSQL server for the tests on the second engine (tests/pgcluster.py starts a
# throwaway cluster with its initdb and pg_ctl); the newest installed version is used.
POSTGRES_INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) /usr/lib/postgresql/bin/initdb)
# The HTTP load generator benchmarks/web_load.py drives (the benchmarks only).
WRK := /usr/bin/wrk

.PHONY: demo demo-lan test install install-test clean benchmark-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install that puts the checkout on sys.path (a .pth line) rather than setuptools'
# default import hook: the hook is imported by every Python start and consulted on every import,
# about 10 ms of each command's start (docs/performance.md). setuptools calls this mode
# deprecated; should one refuse it, the default install is made instead (slower to start).
EDITABLE := --config-settings editable_mode=compat

# What the service and the demo run on: the package and its dependencies, no test tools.
$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet $(EDITABLE) -e . || $(BIN)/python -m pip install --quiet -e .
	touch $@

# The test tools on top (pytest, Playwright, schemathesis ...).
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet $(EDITABLE) -e '.[test]' || \
	  $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

define apt_install
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; \
	else \
	  echo "note: $@ is missing and needs root to install (apt-get install $(1)): $(2)"; \
	fi
endef

$(CJK_FONT):
	$(call apt_install,fonts-wqy-microhei,labels print in English)

$(CHROMIUM):
	$(call apt_install,chromium,the browser test will be skipped)

$(POSTGRES_INITDB):
	$(call apt_install,postgresql,the tests on PostgreSQL fail (they never skip))

$(WRK):
	$(call apt_install,wrk,benchmarks/web_load.py cannot run)

# What the benchmarks need beyond the tests: `make benchmark-tools`, then
# `.venv/bin/python benchmarks/web_load.py` (docs/performance.md).
benchmark-tools: install-test $(WRK)

# Seeds demo data once (a second run adds nothing), prints the logins, runs the service.
demo: install $(CJK_FONT)
	FOOTPRINT_HOME=$(DEMO_HOME) $(BIN)/footprint demo --host $(DEMO_HOST) --port $(DEMO_PORT)

# The same over HTTPS on this machine's network address, for a phone on the same network.
demo-lan: install $(CJK_FONT)
	FOOTPRINT_HOME=$(DEMO_HOME) $(BIN)/footprint demo --lan --port $(DEMO_PORT)

test: install-test $(CHROMIUM) $(CJK_FONT) $(POSTGRES_INITDB)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(DEMO_HOME) build dist *.egg-info

# The static scan page's CBOR decoder (docs/static-verification.md): cborg from npm, bundled
# into one ES module by esbuild, both at pinned versions. Run by hand to update it; the file
# is committed, so neither the tests nor the service need npm.
CBORG_VERSION := 6.1.5
ESBUILD_VERSION := 0.28.2
SCANPAGE := footprint/usecases/scanpage
.PHONY: vendor-cborg
vendor-cborg:
	@work=$$(mktemp -d) && cd $$work && \
	  npm pack --silent cborg@$(CBORG_VERSION) >/dev/null && tar xzf cborg-$(CBORG_VERSION).tgz && \
	  npm install --silent --no-save --prefix $$work/tools esbuild@$(ESBUILD_VERSION) && \
	  $$work/tools/node_modules/.bin/esbuild package/cborg.js --bundle --format=esm \
	    --target=es2020 --legal-comments=inline --outfile=$$work/cborg.js && \
	  cp $$work/cborg.js $(CURDIR)/$(SCANPAGE)/cborg.js && \
	  cp package/LICENSE $(CURDIR)/$(SCANPAGE)/cborg-LICENSE.txt && \
	  rm -rf $$work && echo "cborg $(CBORG_VERSION) -> $(SCANPAGE)/cborg.js"
