# Slackclone: the two commands of the README are `make run` and `make test`.
# Every target is idempotent: running it twice does no harm and little work the second time.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Written after a successful install; older than a requirements file means "install again".
STAMP := $(VENV)/.requirements-installed
# The same for the browser client's tools (Biome), pinned in package-lock.json.
NODE_STAMP := node_modules/.stamp
BIOME := node_modules/.bin/biome
TEST_SETTINGS := slackclone.settings_test
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="chat -x"`.
PYTEST_ARGS ?=
# The processes the suite runs in: one per core of the 2-core machines it is sized for.
TEST_WORKERS ?= 2

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv node-modules run test browser check-services lint format worker beat stack require-real-stack clean
.PHONY: messages messages-extract gettext-tools vendor system-packages
.PHONY: cluster cluster-stop cluster-restart cluster-packages cluster-system-packages test-cluster backup chaos
.PHONY: bench-peer-packages

help:
	@echo "make run     set up .venv, migrate, seed the demo, serve http://$(HOST):$(PORT) (embedded default)"
	@echo "make test    lint, migration check, import contracts, mypy, the client's unit tests and the whole suite"
	@echo "make lint    ruff check, ruff format --check, the import contracts, mypy and biome ci (static/js, js-tests)"
	@echo "make format  ruff format, ruff check --fix and biome check --write"
	@echo "make stack   the real stack from the Procfile (needs DATABASE_URL, REDIS_URL, SECRET_KEY)"
	@echo "make worker  a Celery worker (real stack)"
	@echo "make beat    Celery beat (real stack)"
	@echo "make clean   remove var/ (the embedded database, files), .venv and node_modules"
	@echo "make vendor  copy the pinned highlight.js (package-lock.json) into static/js/vendor/highlight"
	@echo "make cluster       nginx on :8080, ASGI processes (ASGI=2), sharded Redis, PostgreSQL pair (Patroni), Celery"
	@echo "make cluster-stop  stop exactly the processes make cluster started (var/cluster/*.pid)"
	@echo "make cluster-restart  restart the ASGI processes, Celery workers and beat one at a time, losing nothing"
	@echo "make test-cluster  the failure tests on a cluster of their own"
	@echo "make backup        full backup (pgBackRest) of the running cluster and its uploaded files"
	@echo "make chaos         the chaos soak: 10 min of load while processes are killed (CHAOS_ARGS=...)"
	@echo "make bench-peer-packages  nginx with nchan, a peer bench/fanout measures (make test installs it)"

# --- Virtualenv ---------------------------------------------------------------------

venv: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(PY) system-packages
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian packages, installed only when missing: python-ldap (under django-auth-ldap) builds against OpenLDAP's
# and SASL's headers, and the LDAP tests (directory/tests) run Debian's slapd and its ldapadd; xmlsec (SAML
# signatures) needs libxmlsec1 and pkg-config where pip has no wheel for the machine; mosquitto is a peer the
# fan-out benchmark measures beside us (bench/fanout/peers.py) and its test starts.
SYSTEM_PACKAGES := libldap2-dev libsasl2-dev slapd ldap-utils libxmlsec1-dev pkg-config mosquitto
system-packages:
	@missing=""; \
	for package in $(SYSTEM_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing (apt-get)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# --- The browser client's tools: node_modules from package-lock.json ------------------

node-modules: $(NODE_STAMP)

# npm ci installs exactly the lock (and empties node_modules first, so the stamp is written after it).
$(NODE_STAMP): package.json package-lock.json
	npm ci --quiet --no-audit --no-fund
	touch $@

# --- Vendored browser libraries: copied from node_modules (pinned in package-lock.json) into static/ -------
# Committed, so `make run` and a deployment need no Node; js-tests/highlight.test.mjs fails when the copies and
# the pinned package differ. After changing the version in package.json: `make vendor` and commit the result.

HLJS := node_modules/@highlightjs/cdn-assets
HLJS_DIR := static/js/vendor/highlight
# The languages static/js/client/highlight-languages.js colours (its LANGUAGES; js-tests check they match).
HLJS_LANGUAGES := bash c cpp csharp css diff dockerfile go ini java javascript json kotlin makefile markdown \
	php python ruby rust scss shell sql swift typescript xml yaml

vendor: node-modules
	rm -rf $(HLJS_DIR)
	mkdir -p $(HLJS_DIR)/languages
	cp $(HLJS)/es/core.min.js $(HLJS)/LICENSE $(HLJS_DIR)/
	for language in $(HLJS_LANGUAGES); do cp $(HLJS)/es/languages/$$language.min.js $(HLJS_DIR)/languages/; done
	node -e 'console.log(require("./$(HLJS)/package.json").version)' > $(HLJS_DIR)/VERSION

# --- Translations: locale/<lang>/LC_MESSAGES/*.po, compiled to .mo by GNU gettext's msgfmt -------------

PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

# GNU gettext (msgfmt, xgettext), for compiling the catalogs and for the test that checks them.
gettext-tools:
	@if ! command -v msgfmt >/dev/null || ! command -v xgettext >/dev/null; then \
		echo "Installing gettext (apt-get)."; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; \
	fi

messages: gettext-tools $(MO_FILES)

%.mo: %.po
	msgfmt --check-format -o $@ $<

# After changing marked text: bring every catalog up to date (then translate the new entries).
messages-extract: venv gettext-tools
	$(MANAGE) makemessages --all --no-obsolete -i node_modules -i var -i bench -i js-tests -i tests -i testing \
		-i static/js/vendor
	$(MANAGE) makemessages --all --no-obsolete -d djangojs -i node_modules -i var -i bench -i js-tests -i tests \
		-i staticfiles -i 'static/js/vendor'

# --- The embedded default: one process, SQLite under var/ -----------------------------

run: venv messages
	$(MANAGE) migrate --noinput
	$(MANAGE) generate_vapid_keys --write
	@if $(MANAGE) shell -v 0 -c "import sys; from workspaces.models import Workspace; sys.exit(int(Workspace.objects.exists()))"; then \
		echo "No workspace yet: seeding the demo workspace."; \
		$(MANAGE) seed_demo; \
	fi
	$(MANAGE) collectstatic --noinput -v 0
	@$(MANAGE) shell -v 0 -c "from chat.seeding.demo import DEMO_PASSWORD, OWNER; \
		print(f'\n  Slackclone is starting at http://$(HOST):$(PORT)/\n  Demo login: {OWNER.email} / {DEMO_PASSWORD}\n')"
	exec $(PY) -m slackclone.daphne_server -b $(HOST) -p $(PORT) slackclone.asgi:application

# --- Tests and lint -------------------------------------------------------------------

# The suite runs in TEST_WORKERS processes (pytest-xdist; 0 runs it in this one), each on a test database
# and a Redis database of its own (slackclone/settings_test.py); each test goes to the next free worker
# (--dist load: with --dist loadfile, schemathesis ran chat/tests/api/test_schema.py's 133 operations as one
# test that took a quarter of a second).
# The browser client's checks come before pytest: Biome (lint, format, import order) and its unit tests.
test: venv system-packages bench-peer-packages node-modules check-services browser messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(BIOME) ci --colors=off
	node --test js-tests/*.test.mjs
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here): install it when missing.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing chromium for the browser tests (apt-get)."; \
		$$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update && $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y chromium; \
	fi

check-services: venv
	@DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) .ci/check_services.py

lint: venv node-modules
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(BIOME) ci --colors=off

format: venv node-modules
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	$(BIOME) check --write

# --- The real stack: PostgreSQL, Redis, several ASGI processes, Celery ----------------

require-real-stack:
	@if [ -z "$${DATABASE_URL:-}" ] || [ -z "$${REDIS_URL:-}" ]; then \
		echo "The real stack needs DATABASE_URL and REDIS_URL (and SECRET_KEY unless DEBUG=1), for example:" >&2; \
		echo "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/slackclone REDIS_URL=redis://127.0.0.1:6379/0 \\" >&2; \
		echo "  SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') make $(MAKECMDGOALS)" >&2; \
		exit 2; \
	fi

# Every process of the Procfile at once (two web processes, a worker and beat); Ctrl-C stops them all.
stack: venv messages require-real-stack
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v 0
	mkdir -p "$${SLACKCLONE_VAR_DIR:-var}"
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" exec $(VENV)/bin/honcho start -f Procfile

worker: venv require-real-stack
	exec $(VENV)/bin/celery -A slackclone worker --loglevel=INFO

beat: venv require-real-stack
	mkdir -p "$${SLACKCLONE_VAR_DIR:-var}"
	exec $(VENV)/bin/celery -A slackclone beat --loglevel=INFO --schedule "$${SLACKCLONE_VAR_DIR:-var}/celerybeat-schedule"

# --- The loopback cluster: nginx, N ASGI processes, Redis shards, PostgreSQL pair under Patroni ---
# cluster/ has the scripts and templates; docs/scaling.md the reasoning. Every pid is in var/cluster/.

ASGI ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Patroni runs as the `postgres` user, so it gets a virtualenv of Debian's python3 outside the checkout
# (cluster/layout.py's PATRONI_VENV; .venv's interpreter may be in a home that user cannot enter).
PATRONI_VENV ?= /var/tmp/slackclone-patroni
PATRONI_STAMP := $(PATRONI_VENV)/.requirements-installed

# Debian's nginx, Redis, PostgreSQL server binaries, etcd, python3-venv, pgBackRest and Prometheus, installed only
# when missing;
# then Patroni (requirements-cluster.txt) in its virtualenv.
cluster-packages: cluster-system-packages $(PATRONI_STAMP)

cluster-system-packages:
	@missing=""; \
	command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v etcd >/dev/null || missing="$$missing etcd-server"; \
	/usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	command -v pgbackrest >/dev/null || missing="$$missing pgbackrest"; \
	command -v prometheus >/dev/null || missing="$$missing prometheus"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# nginx with the nchan module: the other peer the fan-out benchmark measures (bench/fanout/peers.py), installed
# only when missing. The benchmark starts it with a configuration of its own; Debian's service is not used.
bench-peer-packages:
	@missing=""; \
	command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	dpkg -s libnginx-mod-nchan >/dev/null 2>&1 || missing="$$missing libnginx-mod-nchan"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing (apt-get)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(PATRONI_STAMP): requirements-cluster.txt | cluster-system-packages
	/usr/bin/python3 -m venv $(PATRONI_VENV)
	$(PATRONI_VENV)/bin/python -m pip install --quiet -r requirements-cluster.txt
	touch $@

cluster: venv cluster-packages messages
	$(PY) -m cluster.up --asgi $(ASGI)

cluster-stop:
	$(PY) -m cluster.down

# New code or settings into service without dropping a message: one process at a time (cluster/restart.py).
cluster-restart: venv messages
	$(PY) -m cluster.restart

# A full backup of the running cluster's primary into var/cluster/backup/repo, and a tar of its uploaded files
# under the same label (cluster/backup.py); restores and point-in-time recovery: docs/operations.md.
backup: venv cluster-packages
	$(PY) -m cluster.backup backup

# The failure tests start (and stop) a cluster of their own in var/cluster-test, beside any `make cluster`;
# the workload bench's cluster test one in var/cluster-workload.
test-cluster: venv cluster-packages messages
	$(VENV)/bin/pytest -p no:cacheprovider -m cluster cluster/tests bench/tests/test_workload.py $(PYTEST_ARGS)

# The chaos soak (bench/chaos) starts and stops a cluster of its own in var/cluster-chaos; e.g.
# `make chaos CHAOS_ARGS="--duration 180 --clients 100 --channels 10"` for the short version.
CHAOS_ARGS ?=
chaos: venv cluster-packages messages
	$(PY) -m bench.chaos $(CHAOS_ARGS)

clean:
	rm -rf var $(VENV) node_modules
