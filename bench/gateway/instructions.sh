#!/usr/bin/env bash
# User-space instructions per proxied request, counted by valgrind (callgrind): the same
# figure for the same binary and input whatever else the machine does, so builds can be
# compared on a noisy machine. Needs: valgrind, nginx-light, python3.
# Usage: bench/gateway/instructions.sh BIN [BIN...]   (nexus-auth release binaries)
# Env: REQUESTS (4000): requests in the long run; the short run has a quarter of them, and the
# difference between the two runs, divided by the difference in requests, is the figure.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${REQUESTS:-4000}
WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f /tmp/nexus-bench-upstream.pid ] && kill "$(cat /tmp/nexus-bench-upstream.pid)" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

nginx -c "$PWD/bench/gateway/upstream.conf"
# A Kratos-like whoami: every request is a valid session (the gateway caches it anyway).
python3 - <<'PY' & pids+=($!)
import http.server, json
body = json.dumps({"id": "s", "active": True, "expires_at": "2099-01-01T00:00:00Z",
                   "identity": {"id": "0b0a5f1c-5f1e-4c61-9f41-4a4e2f6f5a77"}}).encode()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", 18090), H).serve_forever()
PY
cp bench/gateway/rules.yml "$WORK/rules.yml"
sed "s#RULES_FILE#$WORK/rules.yml#; s/port: 18083/port: 18183/; s/port: 18084/port: 18184/" \
  bench/gateway/oathkeeper.yml > "$WORK/oathkeeper.yml"

# Sends `n` keep-alive requests on 4 connections, as wrk would (same headers).
client() {
  python3 - "$1" <<'PY'
import http.client, sys
n = int(sys.argv[1]) // 4
conns = [http.client.HTTPConnection("127.0.0.1", 18183) for _ in range(4)]
for _ in range(n):
    for c in conns:
        c.request("GET", "/hello", headers={"Cookie": "ory_kratos_session=bench"})
        r = c.getresponse(); r.read()
        assert r.status == 200, r.status
PY
}

# Instructions of one gateway run serving `n` requests (start-up and shutdown included).
count() { # bin n
  local out="$WORK/cg.$2"
  TOKIO_WORKER_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$1" gateway serve -c "$WORK/oathkeeper.yml" 2>/dev/null & local pid=$!
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/18183) 2>/dev/null && break; sleep 0.1; done
  client "$2"
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && cp "$out"* "$KEEP"/ ; awk '/^summary:/ {print $2}' "$out"* | paste -sd+ | bc
}

for bin in "$@"; do
  short=$(count "$bin" $((N / 4)))
  long=$(count "$bin" "$N")
  awk -v b="$bin" -v s="$short" -v l="$long" -v n="$N" \
    'BEGIN { printf "%-28s %8.0f instructions per request\n", b, (l - s) / (n - n / 4) }'
done
