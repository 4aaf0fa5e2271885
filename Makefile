# Jiading Bloom Guide. `make run` serves the guide; `make test` runs every test.
PYTHON ?= python3
# `make run PORT=5001` serves on another port.
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app guide
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBIAN_PACKAGES := chromium chromium-driver fonts-noto-cjk zbar-tools poppler-utils openjdk-17-jre-headless
MO := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: run test lint mutate bench load faults wrk install install-test catalogs browser-deps data messages clean

run: install catalogs data node_modules/.installed
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Lint, format, types and the one-way imports; then the suite on SQLite, then again on
# PostgreSQL and Redis when they answer (as they do on our machines and in CI, where their
# absence is a failure); set TEST_DATABASE_URL / TEST_REDIS_URL to point elsewhere.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

test: lint catalogs browser-deps node_modules/.installed
	$(BIN)/pytest
	@if $(BIN)/python tests/services.py "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"; then \
	  echo "== again on PostgreSQL and Redis =="; \
	  TEST_DATABASE_URL="$(TEST_DATABASE_URL)" TEST_REDIS_URL="$(TEST_REDIS_URL)" $(BIN)/pytest; \
	elif [ "$$CI" = true ]; then \
	  echo "CI: PostgreSQL or Redis did not answer, so the suite could not run on them: failing"; exit 1; \
	else echo "== SKIPPED: PostgreSQL or Redis did not answer: the suite ran on SQLite only =="; fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Mutation testing (slow; not in CI): which changed comparisons or removed checks in the core,
# the operations and the page cache would the fast suite notice? Prints the survivors.
mutate: install-test catalogs
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-mutate.txt
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 || true
	$(BIN)/mutmut results

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-test.txt
	touch $@ $(VENV)/.installed

# Workbox's runtime for the service worker (served from our origin), axe-core and vnu-jar for
# the tests, lighthouse for bench/: pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

catalogs: $(MO)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations -l $*

# Create or update the SQLite database under instance/ from the places file.
data: install catalogs
	$(FLASK) db upgrade
	$(FLASK) places load data/places.yaml

# From Debian, for the tests: Chromium and CJK fonts for the browser (never a downloaded
# browser), zbarimg to decode QR codes, pdftoppm to look at printed cards, Java for vnu.
browser-deps:
	@dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES); }

# After changing UI strings: extract them and merge into every catalog, then translate.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --omit-header -o translations/messages.pot --width 100 .
	$(BIN)/pybabel update --no-fuzzy-matching --width 100 -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) build .pytest_cache node_modules $(MO)

# The performance benchmark: prints bytes, Lighthouse scores and throughput (docs/performance.md).
bench: install-test catalogs browser-deps node_modules/.installed wrk
	$(BIN)/python bench/run.py

# Past one machine, on this machine's PostgreSQL and Redis (docs/deploy.md): 60 s at 64
# connections with staff reporting; then kill -9 an app server and restart PostgreSQL (as root).
load: install-test catalogs wrk
	$(BIN)/python bench/load.py
faults: install-test catalogs
	$(BIN)/python bench/faults.py

wrk:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
