# The two commands of the README, from nothing: `make demo` and `make test`.
# Each creates the virtual environment and the (editable) build it needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.gilfree-installed
BUILD   := build/editable

.PHONY: demo test test-sanitize bench showcase info clean lint

$(STAMP): pyproject.toml meson.build
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	# setuptools and wheel too: the editable install builds without isolation, and so does
	# any dependency that PyPI serves as an sdist only (e.g. pims 0.7, needed by dask-image)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python tools/build_requires.py > $(VENV)/build-requires.txt
	$(BIN)/python -m pip install -q -r $(VENV)/build-requires.txt
	$(BIN)/python -m pip install -q --no-build-isolation -Cbuild-dir=$(BUILD) -e ".[test,bench]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m gilfree demo

# The sync API's tests again, each run by 4 threads at once (pytest-run-parallel):
# many callers of one process; tests marked thread_unsafe run once.
PARALLEL_TESTS := $(wildcard tests/test_losses_*.py tests/test_loops_*.py tests/test_conv_*.py tests/test_runtime*.py)

test: $(STAMP)
	$(BIN)/python -m pytest
	test -n "$(PARALLEL_TESTS)"
	$(BIN)/python -m pytest -q -p no:cacheprovider --parallel-threads=4 $(PARALLEL_TESTS)

# The suite against an ASan+UBSan build of the extension (build/sanitize, .venv-sanitize).
test-sanitize: $(STAMP)
	tools/test_sanitize.sh

# the optional peers of the benchmarks (numba, JAX, numexpr); a failed install leaves their
# columns blank, it does not stop the benchmarks
PEERS_STAMP := $(VENV)/.bench-peers-installed
$(PEERS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -q --no-build-isolation -Cbuild-dir=$(BUILD) -e ".[bench-peers]" \
		|| echo "bench-peers extra not installed: numba / JAX / numexpr columns stay blank"
	touch $@

bench: $(PEERS_STAMP)
	$(BIN)/python bench/run_all.py

# The claims of the README's showcase section, measured and judged (quick mode, ~3 min on 2 cores).
showcase: $(STAMP)
	$(BIN)/python bench/showcase.py

lint: $(STAMP)
	$(BIN)/python -m pip install -q ruff cython-lint pycodestyle
	$(BIN)/ruff check pkg tests bench tools
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/cython-lint --max-line-length 120 cyx/*.pyx cyx/*.pxd cyx/*.pxi

info: $(STAMP)
	$(BIN)/python -m gilfree info

clean:
	rm -rf $(VENV) $(VENV)-sanitize build
