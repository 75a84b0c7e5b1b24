# `make run` starts the app on embedded defaults (SQLite, no Redis); `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := $(CURDIR)/.tools/node_modules/.bin
NODE_PKG := node@22.23.3
BUN_PKG := bun@1.4.5

# Node >= 22.22 and bun come from the npm registry into .tools/ (their own installers need the internet).
export PATH := $(TOOLS):$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_BUN_PATH := $(TOOLS)/bun
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_DIR := $(CURDIR)/.reflex-dir
export BUN_INSTALL_CACHE_DIR := $(CURDIR)/.bun-cache

.PHONY: run test check cluster nginx deps dev-deps tools chromium migrate seed bench clean

run: deps tools
	$(PY) -m hiorder_app setup
	$(VENV)/bin/reflex run

test: deps dev-deps tools chromium nginx
	$(VENV)/bin/pytest

# Lint and known-vulnerability audit; .ci/run runs these before the tests and fails on either.
check: dev-deps
	$(VENV)/bin/ruff check .
	$(PY) .ci/audit

deps: $(VENV)/.installed

dev-deps: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

tools: $(TOOLS)/bun

$(TOOLS)/bun:
	npm install --prefix .tools --no-audit --no-fund --loglevel=error $(NODE_PKG) $(BUN_PKG)
	$(TOOLS)/node --version && $(TOOLS)/bun --version

# The production topology on this machine (deploy/cluster/cluster.py): PostgreSQL and Redis must be running.
cluster: deps dev-deps tools nginx
	$(PY) deploy/cluster/cluster.py

nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; }

chromium:
	@command -v chromium >/dev/null && fc-list :lang=ko | grep -q . || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

migrate: deps
	$(PY) -m hiorder_app upgrade

seed: deps
	$(PY) -m hiorder_app seed

bench: deps
	$(PY) bench/order_throughput.py

clean:
	rm -rf .web .states
