# Social Tech Atlas — developer entry points. `make` (no target) prints help.
#
# The local database is managed by scripts/db.sh (PostgreSQL 15 + PostGIS, installed
# with apt if missing, cluster in var/pg, port $ATLAS_PGPORT default 54329). If
# DATABASE_URL is set (environment or .env), that server is used instead.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.ONESHELL:

CARGO ?= cargo
DB    := bash scripts/db.sh
ATLAS := $(CARGO) run -p atlas-api --bin atlas --

# Shell snippet: ensure the database is up, then export DATABASE_URL (unless set), and
# absolute data paths (tests run with the crate directory as cwd, so relative defaults
# like ./seed-data or ../shared/data would not resolve there).
WITH_DB = $(DB) ensure >/dev/null; export DATABASE_URL="$$($(DB) url)"; \
  export ATLAS_SEED_DIR="$${ATLAS_SEED_DIR:-$(CURDIR)/seed-data}"; \
  export ATLAS_SHARED_DATA="$${ATLAS_SHARED_DATA:-$(abspath $(CURDIR)/../shared/data)}";

.PHONY: help run test lint fmt openapi db db-stop db-status db-psql clean-db bench bench-tiles bench-reads

help: ## Show this help
	@echo "Social Tech Atlas — make targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Database: $$($(DB) url)   (override with DATABASE_URL; see .env.example)"

run: ## Start the DB, migrate, seed, and serve the API (dev profile)
	@$(WITH_DB)
	echo "[make] DATABASE_URL=$$DATABASE_URL"
	echo "[make] migrate"; $(ATLAS) migrate
	echo "[make] seed";    $(ATLAS) seed
	addr="$${ATLAS_ADDR:-127.0.0.1:8080}"; addr="$${addr/0.0.0.0/127.0.0.1}"
	echo "[make] serving on $$addr — API docs: http://$$addr/docs  (Ctrl-C to stop)"
	exec $(ATLAS) serve

test: ## Start the DB, install the test tools (GDAL, Chromium, playwright, frictionless, PyLD), run all tests
	@$(WITH_DB)
	export ATLAS_PYTOOLS="$$(bash scripts/test-tools.sh)"
	echo "[make] DATABASE_URL=$$DATABASE_URL"
	# The command-line tests run the `atlas` binary as a process.
	$(CARGO) build -p atlas-api --bin atlas
	if $(CARGO) nextest --version >/dev/null 2>&1; then
	  echo "[make] cargo nextest run --workspace --no-fail-fast"
	  $(CARGO) nextest run --workspace --no-fail-fast
	else
	  echo "[make] cargo-nextest not found; cargo test --workspace --no-fail-fast"
	  $(CARGO) test --workspace --no-fail-fast
	fi

lint: ## rustfmt check + clippy with warnings as errors
	@echo "[make] cargo fmt --all -- --check"
	$(CARGO) fmt --all -- --check
	echo "[make] cargo clippy --workspace --all-targets -- -D warnings"
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## Format all code
	@$(CARGO) fmt --all

openapi: ## Regenerate openapi/openapi.json from the code
	@mkdir -p openapi
	$(CARGO) run -q -p atlas-api --bin atlas -- openapi > openapi/openapi.json.tmp || { rm -f openapi/openapi.json.tmp; exit 1; }
	mv openapi/openapi.json.tmp openapi/openapi.json
	echo "[make] wrote openapi/openapi.json"

db: ## Ensure the local database runs; print its URL
	@$(DB) ensure

db-stop: ## Stop the local database
	@$(DB) stop

db-status: ## Show the local database status
	@$(DB) status

db-psql: ## Open psql on the database
	@$(DB) psql

clean-db: ## Stop the local database and delete its files (var/pg)
	@$(DB) destroy

bench: ## Run bench/run.sh (with the DB up and DATABASE_URL exported)
	@if [[ ! -f bench/run.sh ]]; then echo "[make] no bench/run.sh yet"; exit 0; fi
	$(WITH_DB)
	bash bench/run.sh

bench-tiles: ## Tiles/s at z5, z8, z12 next to raw ST_AsMVT, and clusters time (bench/tiles.sh)
	@$(WITH_DB)
	bash bench/tiles.sh

bench-reads: ## Map reads (lists, searches, facets, clusters) with and without the response cache
	@$(WITH_DB)
	bash bench/reads.sh
