# The two commands a fresh clone needs: `make dev` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

.PHONY: install test check bench cost dev clean frontend-test browser test-prerequisites lint

# Python caches bytecode even where the shell asks it not to: every test
# worker, local stack and emulator imports the same modules (boto3, moto,
# chalice, …), and without the cache each process compiles them again.
unexport PYTHONDONTWRITEBYTECODE

# The Vue app in frontend/ (absent on older checkouts: then nothing to do).
FRONTEND := $(wildcard frontend/package.json)
NODE_MODULES := frontend/node_modules/.package-lock.json

$(STAMP): requirements-dev.txt backend/requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# uv installs what pip would, in parallel, and byte-compiles it on both
	# cores while npm works: each test worker, local stack and emulator then
	# starts from bytecode instead of compiling the same modules again.
	$(PY) -m pip install --quiet uv==0.13.9
	$(UV) pip install --python $(PY) --quiet --compile-bytecode pip==26.2.1 -r requirements-dev.txt  # chalice 1.34 packages with pip<26.3
	# The backend and scripts/ as one editable package (pyproject.toml).
	$(UV) pip install --python $(PY) --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Python tests run on one worker per core (pytest-xdist), each worker with
# its own emulators, ports and state; a file's tests stay on one worker.
PYTEST_PARALLEL ?= -n auto --dist loadfile

# What the tests need, prepared side by side: the Python and npm installs,
# then the frontend's unit tests and production build (a build error fails
# the run) and the browser for tests/e2e/. Each install is skipped when
# nothing it depends on changed. Then every Python test, ending with the
# slowest tests and the time per group (tests/suite_groups.py).
test:
	@$(MAKE) --no-print-directory -j 4 --output-sync=target test-prerequisites
	$(PY) -m pytest -q -rs $(PYTEST_PARALLEL) tests

test-prerequisites: install lint frontend-test frontend-build browser

# The edit-test loop (under a minute): linters and the unit tests that need
# no emulator, browser or network (`-m unit`), and the frontend's unit tests.
check:
	@$(MAKE) --no-print-directory -j 2 --output-sync=target install $(if $(FRONTEND),$(NODE_MODULES))
	@$(MAKE) --no-print-directory -j 2 --output-sync=target lint frontend-test check-python

.PHONY: check-python
check-python: install
	$(PY) -m pytest -q -m unit tests

lint: install
	$(VENV)/bin/ruff check backend scripts tests

$(NODE_MODULES): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(NODE_MODULES)

frontend-test: $(if $(FRONTEND),$(NODE_MODULES))
ifneq ($(FRONTEND),)
	cd frontend && npm test
endif

# Chromium for the browser tests: Playwright's own if it can be downloaded,
# else the system's (apt-get install chromium as root). CI=true: none is an
# error. Checked again only when the script or the Python packages change
# (`make clean` forgets it).
BROWSER_STAMP := $(VENV)/.browser
browser: $(BROWSER_STAMP)

$(BROWSER_STAMP): scripts/browser.py $(STAMP)
	$(PY) scripts/browser.py install
	touch $(BROWSER_STAMP)

bench: install frontend-build
	$(PY) scripts/bench.py

# Rebuilt only when a source, a setting or a package changed.
.PHONY: frontend-build
FRONTEND_SOURCES := $(if $(FRONTEND),$(shell find frontend/src frontend/public frontend/index.html \
	frontend/vite.config.js -type f -not -name config.json 2>/dev/null))
FRONTEND_DIST := frontend/dist/index.html
frontend-build: $(if $(FRONTEND),$(FRONTEND_DIST))

$(FRONTEND_DIST): $(NODE_MODULES) $(FRONTEND_SOURCES)
	cd frontend && npm run build
	touch $(FRONTEND_DIST)

# What it costs to run, from operations counted on the local stack and the
# prices in scripts/prices.json (`$(PY) scripts/cost.py --help`: --margin,
# --region; --write docs/cost.md refreshes the saved output).
cost: install
	$(PY) scripts/cost.py

# The Python client's generated half (clients/python/credits_saas_api) from
# the OpenAPI document; tests/test_python_client.py fails until it is rerun
# after the document changed.
.PHONY: client
client: install
	$(PY) scripts/client.py

# Make Stripe and the product table match products.json (settings from the
# environment; `$(PY) scripts/sync_products.py --help` for --dry-run, --stage).
.PHONY: sync-products
sync-products: install
	$(PY) scripts/sync_products.py

clean:
	rm -rf $(VENV) .local .pytest_cache frontend/node_modules frontend/dist

# The local stack (docs/local-stack.md): `make dev` runs everything offline
# until Ctrl-C; `make demo` walks the main flow against it; `make reset`
# removes .local/ (the running stack's settings).
.PHONY: demo reset

dev: install
	exec $(PY) scripts/dev.py

demo: install
	$(PY) scripts/demo.py

reset: install
	$(PY) scripts/dev.py --reset

# Stripe events whose webhook deliveries failed, applied again through the
# stage's webhook route (docs/operations.md). STAGE=local is the running
# `make dev` stack; SINCE=7d, 12h or a date (default: Stripe's 30 days).
.PHONY: replay-webhooks
replay-webhooks: install
	$(if $(STAGE),,$(error Name the stage: make $@ STAGE=local))
	$(PY) scripts/replay_webhooks.py --stage $(STAGE) $(if $(SINCE),--since $(SINCE))

# Deploy to AWS (docs/deploy.md). STAGE is dev or prod; needs AWS credentials
# and STRIPE_SECRET_KEY. `make deploy-app` redeploys code changes only;
# `make destroy STAGE=dev ARGS=--delete-data` also deletes the data.
.PHONY: deploy deploy-app destroy lint-templates

deploy deploy-app destroy: install
	$(if $(STAGE),,$(error Name the stage: make $@ STAGE=dev))
	$(PY) -m scripts.deploy $@ --stage $(STAGE) $(ARGS)

# cfn-lint on the shipped templates (make test also lints the built ones).
lint-templates: install
	$(VENV)/bin/cfn-lint infra/*.yaml
