#!/usr/bin/env bash
# Command 2: install dependencies, build everything with warnings as errors and ASan + UBSan, run
# every test through CTest; then the thread-related tests again under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --test
jobs=$(nproc)

cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPARBENCH_SANITIZE=address,undefined -DPARBENCH_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-test -j "$jobs"
ctest --test-dir build-test --output-on-failure -j "$jobs"

# A unity build: the ASan build above already compiled every file on its own (so a missing include
# fails there); this second compile only needs to be correct, and unity halves its time.
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_UNITY_BUILD=ON \
  -DPARBENCH_SANITIZE=thread -DPARBENCH_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-tsan -j "$jobs" --target parbench_tests
# Shared-memory protocols (start gate, worker slots, results, rings and queues) across threads.
build-tsan/tests/parbench_tests "[backend],[workload],[runner],[channel],[fanin],[proxy],[lock],[sync],[profile],[pool]"

# The deterministic mode runs valgrind, which cannot run a sanitized binary: count with the
# Release build (the one scripts/run.sh makes) and check it from the test binary.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARBENCH_BUILD_TESTS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build -j "$jobs" --target parbench
PARBENCH_COUNT_BINARY="$PWD/build/parbench" build-test/tests/parbench_tests "[count]"

# The HTML report in a headless browser (chromium, installed by setup.sh --test).
build-test/tests/parbench_tests "[browser]"
