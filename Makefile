# Apuri — see README.md. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/apuri.tar.gz
NLU := $(wildcard nlu_data/*.yml)
DIALOGUE := $(wildcard bot/dialogue/*.yml)
BOT_CODE := $(wildcard bot/*.py nlu/*.py core/*.py finnish/*.py finnish/data/*)

.PHONY: setup train run test bench lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	@touch $@

train: $(MODEL)

$(MODEL): $(VENV)/.installed config.yml bot/domain.yml $(NLU) $(DIALOGUE) $(BOT_CODE)
	@mkdir -p models
	$(RASA) train --config config.yml --domain bot/domain.yml --data nlu_data bot/dialogue \
		--out models --fixed-model-name apuri
	@touch $@

run: $(MODEL)
	$(VENV)/bin/apuri run

LINTED := actions bot cli core finnish gateway nlu phone store voice tests bench scripts

lint: setup
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/ruff check $(LINTED)

test: $(MODEL)
	$(RASA) data validate --config config.yml --domain bot/domain.yml --data nlu_data bot/dialogue --fail-on-warnings
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/pytest -p no:cacheprovider

bench: $(MODEL)
	$(PY) bench/nlu_bench.py
	$(PY) bench/place_names.py
	$(PY) bench/directory_bench.py
	$(PY) bench/retrieval.py
	$(PY) bench/conversations.py
	$(PY) bench/gateway_bench.py
	$(PY) bench/abuse.py
	$(PY) bench/voice_bench.py
	$(PY) bench/phone_bench.py

clean:
	rm -rf models .rasa results bench/results/tmp
