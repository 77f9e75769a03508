# Every target creates what it needs: a fresh clone runs `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv legacy-env demo lint test bench corpus projects clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# TensorFlow 1.15.5 + Keras 2.3.1 on Python 3.7, in migrator's cache folder.
legacy-env: venv
	$(BIN)/migrator legacy-env

# The main job on the bundled legacy project: migrate a copy, show the diff, prove it.
demo: legacy-env
	@rm -rf build/demo && mkdir -p build && cp -r examples/legacy_project build/demo
	@echo "== migrator migrate build/demo --diff"
	@$(BIN)/migrator migrate build/demo --diff; test $$? -le 1
	@echo "== migrator migrate build/demo"
	@$(BIN)/migrator migrate build/demo
	@for f in $$(cd examples/legacy_project && ls *.py); do \
		echo "== migrator verify examples/legacy_project/$$f build/demo/$$f"; \
		$(BIN)/migrator verify examples/legacy_project/$$f build/demo/$$f || exit 1; \
	done

# ruff, the layer contract in pyproject.toml (migrator/ above codemods/, no cycles), and
# mypy --strict on the files [tool.mypy] lists.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint legacy-env
	$(BIN)/python -m pytest -n 2 -q

bench: venv
	$(BIN)/python benchmarks/run.py

# Real TF1 / Keras 2 programs from the lists in benchmarks/corpus/ (read from the mirrors
# made by the session's fetch tool), each run before and after migration.
corpus: venv legacy-env
	$(BIN)/python benchmarks/corpus.py

# Whole multi-file projects (benchmarks/projects/*.toml; mirrors fetched beforehand),
# migrated as folders and verified by their own commands: the projects table.
projects: legacy-env
	$(BIN)/python benchmarks/projects.py

clean:
	rm -rf $(VENV) build
