#!/usr/bin/env bash
# Gateway benchmarks on loopback. Needs: apt-get update && apt-get install -y wrk nginx-light
# Usage: bench/gateway/run.sh [duration, default 10s]
set -euo pipefail
cd "$(dirname "$0")/../.."
D=${1:-10s}
C=${CONNECTIONS:-64}
T=${THREADS:-2}
BIN=target/release/examples
cargo build --release -p nexus-gateway --examples >/dev/null

WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f /tmp/nexus-bench-upstream.pid ] && kill "$(cat /tmp/nexus-bench-upstream.pid)" 2>/dev/null || true
  [ -f /tmp/nexus-bench-front.pid ] && kill "$(cat /tmp/nexus-bench-front.pid)" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

nginx -c "$PWD/bench/gateway/upstream.conf"
nginx -c "$PWD/bench/gateway/nginx-front.conf"
$BIN/mock_whoami 127.0.0.1:18090 & pids+=($!)

cat > "$WORK/rules.yml" <<'RULES'
- id: bench
  match: { url: "http://<**>/<**>", methods: [GET, POST] }
  authenticators: [{ handler: cookie_session }]
  authorizer: { handler: allow }
  mutators: [{ handler: header }]
  upstream: { url: "http://127.0.0.1:18080" }
RULES
sed "s#RULES_FILE#$WORK/rules.yml#" bench/gateway/oathkeeper.yml > "$WORK/oathkeeper.yml"
$BIN/gateway serve -c "$WORK/oathkeeper.yml" & pids+=($!)

for port in 18080 18081 18082 18083 18084 18090; do
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done

COOKIE="Cookie: ory_kratos_session=valid"
run() { # name url [headers...]
  local name=$1 url=$2; shift 2
  local hdrs=()
  for h in "$@"; do hdrs+=(-H "$h"); done
  local out
  out=$(wrk -t"$T" -c"$C" -d"$D" --latency "${hdrs[@]}" "$url")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local non2xx
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf '%-44s %12s req/s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p99" "${non2xx:-0}"
}

echo "== pair 1: proxy vs nginx proxy_pass (same static upstream)"
run "nginx proxy_pass" http://127.0.0.1:18081/hello "$COOKIE"
run "gateway proxy (cookie_session cached + header)" http://127.0.0.1:18083/hello "$COOKIE"
echo "== pair 2: proxy vs nginx proxy_pass + auth_request(whoami)"
run "nginx proxy_pass + auth_request" http://127.0.0.1:18082/hello "$COOKIE"
run "gateway proxy (cookie_session cached + header)" http://127.0.0.1:18083/hello "$COOKIE"
echo "== pair 3: decisions (cached sessions) vs direct upstream"
run "direct upstream" http://127.0.0.1:18080/hello
run "gateway /decisions" http://127.0.0.1:18084/decisions/hello "$COOKIE" "X-Forwarded-Method: GET" "X-Forwarded-Proto: http" "X-Forwarded-Host: app.local" "X-Forwarded-Uri: /hello"
echo "== rule matching cost, 10 vs 1000 rules"
$BIN/match_bench
