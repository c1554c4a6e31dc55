#!/usr/bin/env bash
# Command 2: install dependencies, build everything with warnings as errors and ASan + UBSan, run
# every test through CTest; then the thread-related tests again under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test
jobs=$(nproc)

# Style first, as it is the quickest to fail: every C++ file as clang-format writes it, and
# clang-tidy (.clang-tidy: bugprone, performance, modernize, readability with cognitive complexity)
# clean over the unity build's translation units, which cover every source file once (~2 min).
git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run -Werror
cmake -S . -B build-tidy -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
run-clang-tidy -p build-tidy -j "$jobs" -quiet >build-tidy/clang-tidy.log 2>&1 || {
  grep -E 'error:|warning:' build-tidy/clang-tidy.log | sort -u
  echo "clang-tidy: the warnings above (full output in build-tidy/clang-tidy.log)"
  exit 1
}

# The sanitizer builds are unity builds at -O1 -g1 (line tables for the sanitizers' reports): on
# 2 cores that is about a quarter of the time of a file-by-file -O2 -g build (2m43 against ~10 min
# here), and the tests check correctness, not speed. The price: a file missing an include can
# compile thanks to the file before it in the same batch.
sanitizer_build=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
  -DCMAKE_UNITY_BUILD=ON -DPARBENCH_WARNINGS_AS_ERRORS=ON)
cmake -S . -B build-test "${sanitizer_build[@]}" -DPARBENCH_SANITIZE=address,undefined >/dev/null
cmake --build build-test -j "$jobs"
ctest --test-dir build-test --output-on-failure -j "$jobs"

# Run directly, the test binary exits 77 when tests skipped and none failed, after listing them
# with their reasons: what CTest reports as skipped.
run_tests() {
  local status=0
  "$@" || status=$?
  [ "$status" -eq 0 ] || [ "$status" -eq 77 ] || exit "$status"
}

cmake -S . -B build-tsan "${sanitizer_build[@]}" -DPARBENCH_SANITIZE=thread >/dev/null
cmake --build build-tsan -j "$jobs" --target parbench_tests
# Shared-memory protocols (start gate, worker slots, results, rings and queues) across threads.
run_tests build-tsan/tests/parbench_tests "[backend],[workload],[runner],[channel],[fanin],[proxy],[lock],[sync],[profile],[pool]"

# The deterministic mode runs valgrind, which cannot run a sanitized binary, and an address-space
# limit cannot be set on one (ASan reserves terabytes): these use the Release build (the one
# scripts/run.sh makes), checked from the test binary.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build -j "$jobs"
# [release] also installs that build into a fresh prefix and builds examples/histogram and
# tests/install_check against it alone, as a user's project would.
PARBENCH_COUNT_BINARY="$PWD/build/parbench" PARBENCH_RELEASE_BINARY="$PWD/build/parbench" \
  PARBENCH_RELEASE_BUILD="$PWD/build" run_tests build-test/tests/parbench_tests "[count],[release]"

# The HTML report in a headless browser (chromium, installed by setup.sh --test).
run_tests build-test/tests/parbench_tests "[browser]"
