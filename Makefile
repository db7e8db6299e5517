# The two commands a fresh clone needs: `make dev` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test bench cost dev clean frontend-test browser

# The Vue app in frontend/ (absent on older checkouts: then nothing to do).
FRONTEND := $(wildcard frontend/package.json)
NODE_MODULES := frontend/node_modules/.package-lock.json

$(STAMP): requirements-dev.txt backend/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip==26.2.1  # chalice 1.34 needs pip<26.3
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# npm packages, the frontend's unit tests and production build (a build
# error fails the run), the browser for tests/e2e/, then every Python test.
test: install frontend-test frontend-build browser
	$(PY) -m pytest -q -rs tests

$(NODE_MODULES): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(NODE_MODULES)

frontend-test: $(if $(FRONTEND),$(NODE_MODULES))
ifneq ($(FRONTEND),)
	cd frontend && npm test
endif

# Chromium for the browser tests: Playwright's own if it can be downloaded,
# else the system's (apt-get install chromium as root). CI=true: none is an error.
browser: install
	$(PY) scripts/browser.py install

bench: install frontend-build
	$(PY) scripts/bench.py

.PHONY: frontend-build
frontend-build: $(if $(FRONTEND),$(NODE_MODULES))
ifneq ($(FRONTEND),)
	cd frontend && npm run build
endif

# What it costs to run, from operations counted on the local stack and the
# prices in scripts/prices.json (`$(PY) scripts/cost.py --help`: --margin,
# --region; --write docs/cost.md refreshes the saved output).
cost: install
	$(PY) scripts/cost.py

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

reset:
	$(if $(wildcard $(PY)),$(PY),$(PYTHON)) scripts/dev.py --reset

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
