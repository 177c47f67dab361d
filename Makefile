# Two entry points for a new machine with only Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Demo data lives inside the checkout so a demo never touches the user's own data directory.
DEMO_HOME ?= $(CURDIR)/.footprint-home
# Where the demo service listens: `make demo DEMO_PORT=8001` if 8000 is taken.
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000

# Debian's Chromium for the browser test, and a CJK font so PNG and PDF labels can print the
# Chinese product name; installed here so a fresh machine needs no hand work.
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

.PHONY: demo test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

$(CHROMIUM) $(CJK_FONT):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-wqy-microhei >/dev/null; \
	else \
	  echo "note: $@ is missing and needs root to install (apt-get install chromium" \
	       "fonts-wqy-microhei); the browser test will be skipped and labels print in English"; \
	fi

# Seeds demo data once (a second run adds nothing), prints the logins, runs the service.
demo: install $(CJK_FONT)
	FOOTPRINT_HOME=$(DEMO_HOME) $(BIN)/footprint demo --host $(DEMO_HOST) --port $(DEMO_PORT)

test: install $(CHROMIUM) $(CJK_FONT)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(DEMO_HOME) build dist *.egg-info
