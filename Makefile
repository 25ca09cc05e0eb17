# cancerinfo — make setup | demo | test | bench
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
DEMO_DB := demo.db

.PHONY: setup demo test lint bench clean lock serve loadtest

setup: $(VENV)/.installed

# Everything is installed from requirements.lock (exact versions + sha256 hashes,
# --no-deps so nothing unpinned sneaks in); then the package itself, editable.
$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

demo: setup
	$(BIN)/cancerinfo validate examples/kb
	$(BIN)/cancerinfo ingest examples/kb --db $(DEMO_DB)
	$(BIN)/cancerinfo status --db $(DEMO_DB)
	$(BIN)/cancerinfo search "is Ninlaro a chemo pill?" --db $(DEMO_DB) --k 3
	$(BIN)/cancerinfo ask "What is Ninlaro used for?" --db $(DEMO_DB)

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

test: setup
	$(BIN)/ruff check src tests
	$(BIN)/python -m pytest

# Built KBs are cached in .bench-cache/ by content hash; BENCH_FLAGS=--rebuild ingests them
# again, BENCH_FLAGS="--suite retrieval" runs one suite (see cancerinfo eval run --help).
bench: setup
	$(BIN)/python -m cancerinfo.eval.bench --shared $(SHARED) --output docs/benchmarks.md $(BENCH_FLAGS)

# The web chat and HTTP API on http://127.0.0.1:8000 (DB=... to serve another store).
DB ?= $(DEMO_DB)
serve: setup
	$(BIN)/cancerinfo serve --db $(DB)

# HTTP load test: 32 clients for 30 s on POST /v1/ask against a server started on LOADTEST_DB
# (default: the NCI KB store `make bench` caches); prints requests/s, p50/p99 and errors as JSON.
# First a mix of 20 questions asked again and again (answer cache), then 999 NCI KB questions
# each answered afresh (--no-cache).
LOADTEST_DB ?= .bench-cache/nci-kb.db
LOADTEST_FLAGS ?= --clients 32 --seconds 30 --workers 1 --answer-processes 2
loadtest: setup
	mkdir -p .bench-cache
	$(BIN)/python -m cancerinfo.service.loadtest --db $(LOADTEST_DB) $(LOADTEST_FLAGS) --log .bench-cache/loadtest-server.log
	$(BIN)/python -m cancerinfo.service.loadtest --db $(LOADTEST_DB) $(LOADTEST_FLAGS) --log .bench-cache/loadtest-server.log \
		--questions $(SHARED)/eval/nci-kb-questions.jsonl --no-cache

# Regenerate requirements.lock from the current venv (maintainers only; needs the registry).
lock:
	$(BIN)/python scripts/lock.py > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm .pytest_cache .ruff_cache
