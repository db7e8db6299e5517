# The two commands a fresh clone needs: `make dev` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test bench cost dev clean

$(STAMP): requirements-dev.txt backend/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

test: install
	$(PY) -m pytest -q tests

bench: install
	$(PY) scripts/bench.py

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
	rm -rf $(VENV) .local .pytest_cache

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
