#!/bin/sh
# run.sh BUILD_DIR - runs every benchmark; each prints its own figures.
# Record them, with this command, in bench/README.md.
set -eu
B=${1:-build}
echo "== $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(uname -r)"
echo "== bench/engine (decode + aggregate, one core)"
"$B/bench/engine" 1
echo "== bench/sim (callsla sim into a pipe)"
CALLSLA="$B/callsla" "$B/bench/sim"
echo "== bench/e2e (callsla sim -> embedded Kafka -> callslad -> Redis; the Python peer)"
B="$B" sh "$(dirname "$0")/e2e.sh"
