#!/usr/bin/env bash
# User-space instructions per proxied request, counted by valgrind (callgrind): the same
# figure for the same binary and input whatever else the machine does, so builds can be
# compared on a noisy machine. Needs: valgrind, nginx-light, python3.
# Usage: bench/gateway/instructions.sh BIN [BIN...]   (nexus-auth release binaries)
# The last line is the peer: nginx `proxy_pass` (bench/gateway/nginx-front.conf, one worker,
# no master process) counted the same way, in front of the same upstream.
# Env: KEEP (a directory: the callgrind files are copied there, cg.N and nginx.N),
# REQUESTS (4000): requests in the long run; the short run has a quarter of them, and the
# difference between the two runs, divided by the difference in requests, is the figure;
# DECISIONS=1: count `/decisions` requests (with the X-Forwarded-* fields nginx auth_request
# sends) instead of proxied ones; the peer is then the static upstream itself (nginx
# `return 200`, bench/gateway/upstream.conf), answering the same requests.
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

DECISIONS=${DECISIONS:-0}
if [ "$DECISIONS" = 1 ]; then
  TARGET_PATH=/decisions/hello GW_PORT=18184 PEER_PORT=18280 PEER=static-upstream
else
  TARGET_PATH=/hello GW_PORT=18183 PEER_PORT=18281 PEER=proxy_pass
fi

# Sends `n` keep-alive requests on 4 connections to `port`, as wrk would (same headers).
client() { # n port
  python3 - "$1" "$2" "$TARGET_PATH" "$DECISIONS" <<'PY'
import http.client, sys
n = int(sys.argv[1]) // 4
conns = [http.client.HTTPConnection("127.0.0.1", int(sys.argv[2])) for _ in range(4)]
headers = {"Cookie": "ory_kratos_session=bench"}
if sys.argv[4] == "1":
    headers.update({"X-Forwarded-Method": "GET", "X-Forwarded-Proto": "http",
                    "X-Forwarded-Host": "app.local", "X-Forwarded-Uri": "/hello"})
for _ in range(n):
    for c in conns:
        c.request("GET", sys.argv[3], headers=headers)
        r = c.getresponse(); r.read()
        assert r.status == 200, r.status
PY
}

# The peer, in the foreground, one process: nginx proxy_pass on port 18281, or (DECISIONS=1)
# the static upstream on port 18280.
if [ "$DECISIONS" = 1 ]; then
  sed "s/^worker_processes 1;/worker_processes 1; master_process off; daemon off;/;
    s#/tmp/nexus-bench-upstream.pid#$WORK/peer.pid#; s/18080/18280/" \
    bench/gateway/upstream.conf > "$WORK/peer.conf"
else
  sed "s/^worker_processes 1;/worker_processes 1; master_process off; daemon off;/;
    s#/tmp/nexus-bench-front.pid#$WORK/peer.pid#; s/18081/18281/; s/18082/18282/" \
    bench/gateway/nginx-front.conf > "$WORK/peer.conf"
fi

# Instructions of one run serving `n` requests (start-up and shutdown included).
count() { # bin n
  local out="$WORK/cg.$2" port=$GW_PORT stop=INT
  if [ "$1" = nginx ]; then
    out="$WORK/nginx.$2" port=$PEER_PORT stop=QUIT
    valgrind --tool=callgrind --callgrind-out-file="$out" \
      nginx -c "$WORK/peer.conf" 2>/dev/null & local pid=$!
  else
    TOKIO_WORKER_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$out" \
      "$1" gateway serve -c "$WORK/oathkeeper.yml" 2>/dev/null & local pid=$!
  fi
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  client "$2" "$port"
  kill -"$stop" "$pid"; wait "$pid" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && cp "$out"* "$KEEP"/ ; awk '/^summary:/ {print $2}' "$out"* | paste -sd+ | bc
}

for bin in "$@" nginx; do
  short=$(count "$bin" $((N / 4)))
  long=$(count "$bin" "$N")
  [ "$bin" = nginx ] && bin="nginx $PEER (peer)"
  awk -v b="$bin" -v s="$short" -v l="$long" -v n="$N" \
    'BEGIN { printf "%-28s %8.0f instructions per request\n", b, (l - s) / (n - n / 4) }'
done
