#!/usr/bin/env bash
# Admin API benchmarks (issue 3): import 100,000 identities with bcrypt hashes through the batch
# API (the `nexus-auth identity import` CLI) into SQLite, grow to TOTAL identities, then compare
# the first and the last page of GET /admin/identities?page_size=500 and measure lookups by
# credentials_identifier. Release build, loopback.
#   bench/identity/admin.sh [TOTAL, default 1000000]
# Env: BIN/LOAD (prebuilt binaries, skip the build), LOOKUP_CLIENTS (default 1: the latency of
# one lookup; more clients measure throughput and add queueing on 2 cores), MEASURE.
set -euo pipefail
cd "$(dirname "$0")/../.."
TOTAL=${1:-1000000}
CHUNK=100000
# BIN / LOAD point at prebuilt binaries (then nothing is built).
if [ -z "${BIN:-}" ]; then
  cargo build --release -p nexus-cli >/dev/null
  cargo build --release -p nexus-identity --example admin_load >/dev/null
fi
BIN=${BIN:-target/release/nexus-auth}
LOAD=${LOAD:-target/release/examples/admin_load}
TMP=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PUB=$(free_port); ADM=$(free_port)
cat > "$TMP/kratos.yml" <<YAML
dsn: sqlite://$TMP/bench.db?_fk=true&mode=rwc
serve:
  public: { host: 127.0.0.1, port: $PUB }
  admin: { host: 127.0.0.1, port: $ADM }
identity:
  schemas: [{ id: default, url: "file://$PWD/deploy/kratos/identity.schema.json" }]
selfservice:
  default_browser_return_url: http://127.0.0.1:4455/
secrets: { default: ["bench-secret-bench-secret-0123456789"] }
log: { level: error }
YAML
$BIN identity migrate -c "$TMP/kratos.yml" --yes >/dev/null
$BIN identity serve -c "$TMP/kratos.yml" --dev & PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$ADM/health/ready" >/dev/null && break; sleep 0.2; done
ADMIN="http://127.0.0.1:$ADM"

import_chunk() { # first-index
  $LOAD gen $CHUNK "$1" "$TMP/chunk.json"
  local start end
  start=$(date +%s.%N)
  $BIN identity import "$TMP/chunk.json" -e "$ADMIN" >/dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$end-$start:.1f}')"
}

T=$(import_chunk 0)
python3 -c "print(f'import of $CHUNK identities with bcrypt hashes: ${T}s = {$CHUNK/$T:.0f} identities/s (target: <= 60s)')"
n=$CHUNK
while [ "$n" -lt "$TOTAL" ]; do
  T=$(import_chunk "$n")
  n=$((n + CHUNK))
  echo "  grown to $n identities (last chunk ${T}s)"
done
# MEASURE: optional command prefix for the two measurements (e.g. `taskset -c 1`).
${MEASURE:-} $LOAD paging "$ADMIN" 500 20
${MEASURE:-} $LOAD lookup "$ADMIN" 20000 "${LOOKUP_CLIENTS:-1}" "$TOTAL"
echo "RSS after load: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$PID/status)"
