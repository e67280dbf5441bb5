# Crossdock: `make run` starts the demo, `make test` runs every check CI runs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install system-deps run migrate seed test lint test-sqlite test-production test-browser deploy-check bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

system-deps:
	./scripts/system-deps.sh

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

seed: migrate
	$(BIN)/python manage.py seed_demo

run: system-deps seed
	$(BIN)/python scripts/run_demo.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test-sqlite: install
	$(BIN)/pytest -m "not browser"

test-production: install system-deps
	$(BIN)/python scripts/teststack.py -- $(BIN)/pytest -m "not browser"

test-browser: install system-deps
	$(BIN)/pytest -m browser

test: install system-deps lint test-sqlite test-production test-browser

deploy-check: install
	DJANGO_SECRET_KEY=deploy-check-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	DJANGO_REQUIRE_SECRET=1 DJANGO_DEBUG=0 DJANGO_SECURE_SSL_REDIRECT=1 DJANGO_SECURE_COOKIES=1 \
	DJANGO_HSTS_SECONDS=31536000 DJANGO_ALLOWED_HOSTS=crossdock.example.com \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/edi.py

clean:
	rm -rf var .pytest_cache .ruff_cache
