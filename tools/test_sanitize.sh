#!/usr/bin/env bash
# `make test-sanitize`: the extension built with AddressSanitizer and
# UndefinedBehaviorSanitizer in its own build folder and virtual environment
# (which sees the packages of .venv), then the whole suite run against it.
# Any ASan or UBSan report aborts the run, so pytest fails.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-sanitize
BUILD=build/sanitize
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  .venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > "$site/gilfree_base_venv.pth"
fi
if [ ! -f "$BUILD/build.ninja" ]; then
  "$VENV/bin/python" -m pip install -q --no-build-isolation --no-deps -Cbuild-dir="$BUILD" \
    -Csetup-args=-Db_sanitize=address,undefined -Csetup-args=-Db_lundef=false \
    -Csetup-args=-Ddebug=true -Csetup-args=-Dsimd=native -e .  # one instruction-set level is enough here
fi
CXX=${CXX:-g++}
export LD_PRELOAD="$($CXX -print-file-name=libasan.so) $($CXX -print-file-name=libubsan.so)"
# CPython's own allocations are never freed at exit: leak checking would only
# report those. A request too large for memory is a MemoryError, as without
# ASan. Reports go to files (pytest captures stderr and would lose them) and
# are printed below.
REPORTS="$PWD/$BUILD/reports"
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1:log_path=$REPORTS/asan
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$REPORTS/ubsan
export GILFREE_SANITIZE=1
status=0
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@" || status=$?
# A request too large for memory leaves a "failed to allocate" warning (and
# a MemoryError, which the tests expect); every error report fails the run.
if compgen -G "$REPORTS/*" > /dev/null; then
  echo "sanitizer reports:"
  cat "$REPORTS"/*
  if grep -qE "ERROR: AddressSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer" "$REPORTS"/*; then
    status=1
  fi
fi
exit $status
