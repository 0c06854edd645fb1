#!/usr/bin/env bash
# Courier benchmark (issue 5): 1,000 queued messages delivered by `nexus-auth identity courier
# watch` to a local SMTP receiver, on SQLite (file) and PostgreSQL. Target: at most 10 s.
#   bench/courier/run.sh [COUNT, default 1000] [BACKENDS, default "sqlite postgres"]
# Release build, loopback only. BIN / LOAD point at prebuilt binaries (then nothing is built).
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${1:-1000}
BACKENDS=${2:-sqlite postgres}
if [ -z "${BIN:-}" ]; then
  cargo build --release -p nexus-cli >/dev/null
  cargo build --release -p nexus-identity --example courier_load >/dev/null
fi
BIN=${BIN:-target/release/nexus-auth}
LOAD=${LOAD:-target/release/examples/courier_load}
for backend in $BACKENDS; do
  "$LOAD" "$BIN" "$backend" "$COUNT"
done
