#!/usr/bin/env bash
# scripts/test.sh — the whole test suite, as CI runs it (.ci/run):
#   1. install dependencies            (scripts/deps.sh)
#   2. build with gcc                  (build/)
#   3. ctest there
#   4. build with clang, ASan + UBSan  (build-asan/, -DWG_SANITIZE=ON)
#   5. ctest there (leak checking on)
#   6. fuzz the engine for FUZZ_SECONDS (default 60; 0 skips it)
# Every stage runs even when an earlier one failed (a stage that needs a
# failed build is marked as failed without running), so one run reports
# everything. Prints a summary and exits non-zero if anything failed,
# including a ctest run that found no tests.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

fuzz_seconds=${FUZZ_SECONDS:-60}
jobs=$(nproc)
logs=build-logs
mkdir -p "$logs"

summary=()
checks_passed=0
checks_failed=0

record() { # record STATUS NAME DETAIL
    if [ "$1" -eq 0 ]; then
        summary+=("$(printf '  %-28s ok      %s' "$2" "$3")")
    else
        summary+=("$(printf '  %-28s FAILED  %s' "$2" "$3")")
    fi
}

# A stage that is not a test run counts as one check.
run_stage() { # run_stage NAME COMMAND...
    local name=$1
    shift
    echo
    echo "==> $name: $*"
    "$@"
    local status=$?
    record "$status" "$name" "(exit status $status)"
    if [ "$status" -eq 0 ]; then
        checks_passed=$((checks_passed + 1))
    else
        checks_failed=$((checks_failed + 1))
    fi
    return "$status"
}

# Runs ctest in a build directory and counts its tests into the totals.
run_ctest() { # run_ctest NAME BUILD_DIR
    local name=$1 dir=$2 log="$logs/$1.log"
    echo
    echo "==> $name: ctest in $dir/"
    ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs" 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    # "100% tests passed, 0 tests failed out of 42"
    local line
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -n "$line" ]; then
        local failed total
        failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
        total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
        checks_passed=$((checks_passed + total - failed))
        checks_failed=$((checks_failed + failed))
        record "$status" "$name" "($((total - failed)) of $total tests passed)"
    else
        # No tests found, or ctest itself failed: that is a failure too.
        [ "$status" -eq 0 ] && status=1
        checks_failed=$((checks_failed + 1))
        record "$status" "$name" "(no test results; see $log)"
    fi
    return "$status"
}

skip_stage() { # skip_stage NAME REASON
    record 1 "$1" "(not run: $2)"
    checks_failed=$((checks_failed + 1))
}

run_stage "dependencies" scripts/deps.sh

if run_stage "build (gcc)" scripts/build.sh build -DCMAKE_C_COMPILER=gcc; then
    run_ctest "ctest (gcc)" build
else
    skip_stage "ctest (gcc)" "the gcc build failed"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if run_stage "build (clang, sanitizers)" scripts/build.sh build-asan \
    -DCMAKE_C_COMPILER=clang -DWG_SANITIZE=ON; then
    run_ctest "ctest (sanitizers)" build-asan
else
    skip_stage "ctest (sanitizers)" "the sanitizer build failed"
fi

if [ "$fuzz_seconds" -gt 0 ]; then
    run_stage "fuzz (${fuzz_seconds}s)" scripts/fuzz.sh "$fuzz_seconds"
else
    summary+=("$(printf '  %-28s skipped (FUZZ_SECONDS=0)' "fuzz")")
fi

echo
echo "==> summary"
printf '%s\n' "${summary[@]}"
# Checks: each ctest test, plus each other stage as one.
echo "total: $checks_passed passed, $checks_failed failed"
[ "$checks_failed" -eq 0 ]
