#!/usr/bin/env bash
# Runs the hostile-input properties (src/hostile_input.rs and the parsers'
# own, e.g. traffic.rs) with many more cases than the test suite's 256, and
# prints how many each saw and how long it took.
#   bash bench/fuzz.sh [CASES]     (default 10000 per property)
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-10000}"
cargo test --locked --lib --no-run -q
start=$(date +%s)
PROPTEST_CASES="$cases" cargo test --locked --lib -q -- hostile_input any_log_line_or_prometheus_answer 2>&1 | tail -n 3
end=$(date +%s)
echo "$cases cases per property, $((end - start)) s in all"
