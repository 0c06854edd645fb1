#!/usr/bin/env bash
# Gateway benchmarks on loopback. Needs: apt-get update && apt-get install -y wrk nginx-light
# Usage: bench/gateway/run.sh [seconds per side of each pair, e.g. 30s; default 10s]
# Env: CONNECTIONS (64), THREADS (wrk threads: 2, or 1 with PIN=1), WORKERS (worker processes
# of the nginx front and worker threads of the gateway, 1), PIN (1: proxies on CPU 1, wrk and
# the upstream on CPU 0; 0: no pinning), ROUNDS (each pair measured ROUNDS times, 2), SLICE
# (seconds per slice, 2), SESSIONS (own: our services each in a session of their own, as
# daemons are; shared: in this script's session).
set -euo pipefail
cd "$(dirname "$0")/../.."
D=${1:-10s}
SLICE=${SLICE:-2}
SLICES=$(( (${D%s} + SLICE - 1) / SLICE ))
C=${CONNECTIONS:-64}
W=${WORKERS:-1}
PIN=${PIN:-0}
# Pinned, wrk has one core: a second thread there would preempt the first in scheduler slices
# of milliseconds, and a response waiting for its thread counts as latency.
T=${THREADS:-$([ "$PIN" = 1 ] && echo 1 || echo 2)}
ROUNDS=${ROUNDS:-2}
TARGET=${CARGO_TARGET_DIR:-target}
EX=$TARGET/release/examples
NEXUS=$TARGET/release/nexus-auth
if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release -p nexus-cli >/dev/null
  cargo build --release -p nexus-gateway --example match_bench >/dev/null
fi

if [ "$PIN" = 1 ]; then
  SIDE="taskset -c 0" # load generator, upstream, whoami
  PROXY="taskset -c 1" # nginx front and gateway, the systems under test
else
  SIDE=""
  PROXY=""
fi

# Our services each run in a session of their own, as nginx's daemon mode (setsid) puts each
# nginx, and as a service manager would. With the kernel's autogroup scheduling
# (/proc/sys/kernel/sched_autogroup_enabled, on by default in Debian), CPU time is shared
# fairly between sessions first: a gateway started in this script's session would share one
# session's CPU share with wrk, while the nginx it is compared with has a share of its own.
# The script's shell does not control jobs, so setsid does not fork and $! stays the
# service's own pid. SESSIONS=shared keeps them in this script's session.
SERVICE=$([ "${SESSIONS:-own}" = shared ] && echo "" || echo setsid)

WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f /tmp/nexus-bench-upstream.pid ] && kill "$(cat /tmp/nexus-bench-upstream.pid)" 2>/dev/null || true
  [ -f /tmp/nexus-bench-front.pid ] && kill "$(cat /tmp/nexus-bench-front.pid)" 2>/dev/null || true
  [ -f /tmp/nexus-bench-upstream1.pid ] && kill "$(cat /tmp/nexus-bench-upstream1.pid)" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

sed "s/^worker_processes 1;/worker_processes $W;/" bench/gateway/nginx-front.conf > "$WORK/front.conf"
$SIDE nginx -c "$PWD/bench/gateway/upstream.conf"
if [ "$PIN" = 1 ]; then
  # The same static upstream on the gateway's CPU (port 18086), for pair 3 like for like.
  sed 's/18080/18086/; s/nexus-bench-upstream\./nexus-bench-upstream1./g' bench/gateway/upstream.conf > "$WORK/upstream1.conf"
  $PROXY nginx -c "$WORK/upstream1.conf"
fi
$PROXY nginx -c "$WORK/front.conf"

# The session service behind both nginx auth_request and the gateway's cookie_session: our
# identity server (SQLite file, public port 18090), with one registered identity's session.
cat > "$WORK/kratos.yml" <<YAML
dsn: sqlite://$WORK/identity.db?_fk=true&mode=rwc
serve:
  public: { host: 127.0.0.1, port: 18090, base_url: "http://127.0.0.1:18090/" }
  admin: { host: 127.0.0.1, port: 18091 }
identity:
  schemas: [{ id: default, url: "file://$PWD/deploy/kratos/identity.schema.json" }]
selfservice:
  default_browser_return_url: http://127.0.0.1:18083/
  methods: { password: { config: { haveibeenpwned_enabled: false } } }
  flows:
    registration: { after: { password: { hooks: [{ hook: session }] } } }
secrets: { default: ["bench-secret-bench-secret-0123456789"] }
log: { level: error }
YAML
$NEXUS identity migrate -c "$WORK/kratos.yml" --yes >/dev/null
$SIDE $SERVICE $NEXUS identity serve -c "$WORK/kratos.yml" --dev & pids+=($!)
for _ in $(seq 100); do curl -sf http://127.0.0.1:18090/health/ready >/dev/null && break; sleep 0.1; done
SESSION=$(python3 - <<'PY'
import json, random, urllib.request, http.cookiejar
base = "http://127.0.0.1:18090"
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
def call(url, body=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
        headers={"Accept": "application/json", "Content-Type": "application/json"})
    return json.load(op.open(req))
flow = call(f"{base}/self-service/registration/browser")
csrf = next(n["attributes"]["value"] for n in flow["ui"]["nodes"] if n["attributes"].get("name") == "csrf_token")
call(flow["ui"]["action"], {"method": "password", "csrf_token": csrf,
     "password": f"bench-password-{random.random()}", "traits": {"email": f"bench{random.randint(0, 10**9)}@example.com"}})
print(next(c.value for c in jar if c.name == "ory_kratos_session"))
PY
)

cp bench/gateway/rules.yml "$WORK/rules.yml"
sed "s#RULES_FILE#$WORK/rules.yml#" bench/gateway/oathkeeper.yml > "$WORK/oathkeeper.yml"
TOKIO_WORKER_THREADS=$W $PROXY $SERVICE $NEXUS gateway serve -c "$WORK/oathkeeper.yml" & pids+=($!)
GW=${pids[-1]}

for port in 18080 18081 18082 18083 18084 18090; do
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done
FRONT=$(pgrep -d, -P "$(cat /tmp/nexus-bench-front.pid)")
UP=$(pgrep -d, -P "$(cat /tmp/nexus-bench-upstream.pid)")

# User and system CPU ticks of the listed pids, from /proc.
cpu_ticks() {
  local u=0 s=0 p pu ps
  for p in ${1//,/ }; do
    read -r pu ps < <(awk '{print $14, $15}' "/proc/$p/stat")
    u=$((u + pu)) s=$((s + ps))
  done
  echo "$u $s"
}

# CPU time the hypervisor gave to other guests (steal), all CPUs, in ticks: the share of the
# machine a side lost while it was measured, printed with each side (these VMs have slow
# spells, and a side that lost more is not comparable).
steal_ticks() { awk '/^cpu / {print $9}' /proc/stat; }
CPUS=$(nproc)

COOKIE="Cookie: ory_kratos_session=$SESSION"
for url in http://127.0.0.1:18081/hello http://127.0.0.1:18082/hello http://127.0.0.1:18083/hello; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$COOKIE" "$url")
  [ "$code" = 200 ] || { echo "sanity check failed: $url answered $code" >&2; exit 1; }
done
code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18083/hello)
[ "$code" = 401 ] || { echo "sanity check failed: the gateway let a request without a session through ($code)" >&2; exit 1; }
# Each pair is measured in alternating slices of SLICE seconds (A B, then B A, …) until each
# side has had the whole duration, so that the machine's slow spells, which last seconds here,
# fall on both sides alike. wrk's latency histogram of every slice is kept (histogram.lua) and
# merged, so the p99 printed is that of all the side's requests, not an average of slices.
HIST=bench/gateway/histogram.lua
# The 99th percentile, in ms, of histogram lines "<µs> <count>" on stdin (any order).
p99_ms() {
  sort -n | awk '{v[NR] = $1; c[NR] = $2; n += $2}
    END {for (i = 1; i <= NR; i++) {s += c[i]; if (s >= 0.99 * n) {printf "%.3f\n", v[i] / 1000; exit}}}'
}
slice() { # side pids url [headers...]: one wrk slice, appended to $WORK/<side>.{hist,tot}
  local side=$1 watch=$2 url=$3; shift 3
  local hdrs=() h u0 s0 u1 s1 out
  for h in "$@"; do hdrs+=(-H "$h"); done
  read -r u0 s0 < <(cpu_ticks "$watch")
  local st0; st0=$(steal_ticks)
  out=$($SIDE wrk -t"$T" -c"$C" -d"${SLICE}s" -s "$HIST" "${hdrs[@]}" "$url")
  read -r u1 s1 < <(cpu_ticks "$watch")
  local st=$(($(steal_ticks) - st0))
  echo "$out" | awk '/^H / {print $2, $3}' >> "$WORK/$side.hist"
  echo "$out" | awk '/^H / {print $2, $3}' | p99_ms >> "$WORK/$side.slices"
  echo "$out" | awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v st=$st \
    '/^T / {print $2, $3, $4, u, s, st}' >> "$WORK/$side.tot"
}
report() { # side name: prints the side's line and sets RPS and P99_MS, then forgets the side
  local side=$1 name=$2 us non2xx
  local steal
  read -r RPS us non2xx steal < <(awk -v hz="$(getconf CLK_TCK)" -v cpus="$CPUS" '
    {n += $1; t += $2; bad += $3; ticks += $4 + $5; st += $6}
    END {printf "%.2f %.1f %d %.1f\n", n * 1e6 / t, ticks * 1e6 / hz / n, bad,
      st / hz * 100 / (t / 1e6 * cpus)}' "$WORK/$side.tot")
  P99_MS=$(p99_ms < "$WORK/$side.hist")
  printf '  %-46s %10s req/s   p99 %6s ms   %6s µs CPU/req   status >= 400: %s   steal %s %%\n' \
    "$name" "$RPS" "$P99_MS" "$us" "$non2xx" "$steal"
  echo "    p99 of each slice, in order (ms): $(paste -sd' ' "$WORK/$side.slices")"
  rm -f "$WORK/$side.hist" "$WORK/$side.tot" "$WORK/$side.slices"
}
# pair "nameA|pidsA|urlA|header;header" "nameB|pidsB|urlB|…": sets RPS_A, P99_A, RPS_B, P99_B.
pair() {
  local a=$1 b=$2 k first second side watch url hdrs hs
  for k in $(seq "$SLICES"); do
    if [ $((k % 2)) = 1 ]; then first=$a second=$b; else first=$b second=$a; fi
    for side in "$first" "$second"; do
      IFS='|' read -r _ watch url hdrs <<< "$side"
      IFS=';' read -r -a hs <<< "$hdrs"
      slice "$([ "$side" = "$a" ] && echo a || echo b)" "$watch" "$url" "${hs[@]}"
    done
  done
  report a "${a%%|*}"; RPS_A=$RPS P99_A=$P99_MS
  report b "${b%%|*}"; RPS_B=$RPS P99_B=$P99_MS
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

XF="X-Forwarded-Method: GET;X-Forwarded-Proto: http;X-Forwarded-Host: app.local;X-Forwarded-Uri: /hello"

# COMPARE="bin1 bin2 …": builds of nexus-auth side by side (each its own gateway behind the same
# upstream and session service) and nginx proxy_pass, measured in rotating slices of SLICE
# seconds (the order turns by one each slice) until each has had the duration, ROUNDS times;
# prints user and system CPU per request separately (the gap between builds is in user time).
# With COMPARE_DECISIONS=1 the builds answer /decisions (as in pair 3) and the peer is the
# direct upstream (nginx return 200).
if [ -n "${COMPARE:-}" ]; then
  if [ "${COMPARE_DECISIONS:-0}" = 1 ]; then
    sides=("nginx return 200|${UP%%,*}|http://127.0.0.1:18080/hello|")
  else
    sides=("nginx proxy_pass|${FRONT%%,*}|http://127.0.0.1:18081/hello|$COOKIE")
  fi
  k=0
  for bin in $COMPARE; do
    port=$((18100 + 2 * k))
    sed "s/port: 18083/port: $port/; s/port: 18084/port: $((port + 1))/" "$WORK/oathkeeper.yml" > "$WORK/compare$k.yml"
    TOKIO_WORKER_THREADS=$W $PROXY $SERVICE "$bin" gateway serve -c "$WORK/compare$k.yml" & pids+=($!)
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
    if [ "${COMPARE_DECISIONS:-0}" = 1 ]; then
      sides+=("$bin|${pids[-1]}|http://127.0.0.1:$((port + 1))/decisions/hello|$COOKIE;$XF")
    else
      sides+=("$bin|${pids[-1]}|http://127.0.0.1:$port/hello|$COOKIE")
    fi
    k=$((k + 1))
  done
  n=${#sides[@]}
  for r in $(seq "$ROUNDS"); do
    echo "== round $r ($SLICES slices of ${SLICE} s each)"
    for k in $(seq "$SLICES"); do
      for i in $(seq 0 $((n - 1))); do
        j=$(((i + k) % n))
        IFS='|' read -r _ pid url hdrs <<< "${sides[$j]}"
        IFS=';' read -r -a hs <<< "$hdrs"
        slice "c$j" "$pid" "$url" "${hs[@]}"
      done
    done
    for j in $(seq 0 $((n - 1))); do
      awk -v name="${sides[$j]%%|*}" -v hz="$(getconf CLK_TCK)" -v cpus="$CPUS" -v p99="$(p99_ms < "$WORK/c$j.hist")" '
        {n += $1; t += $2; u += $4; s += $5; st += $6}
        END {printf "  %-28s %10.0f req/s   p99 %6s ms   user %5.2f µs   sys %5.2f µs per request   steal %.1f %%\n",
          name, n * 1e6 / t, p99, u * 1e6 / hz / n, s * 1e6 / hz / n, st / hz * 100 / (t / 1e6 * cpus)}' "$WORK/c$j.tot"
      rm -f "$WORK/c$j.hist" "$WORK/c$j.tot" "$WORK/c$j.slices"
    done
  done
  exit 0
fi

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); WORKERS=$W PIN=$PIN wrk -t$T -c$C, $D per side in ${SLICE} s slices"
GWNAME="gateway proxy (cookie_session cached + header)"
for r in $(seq "$ROUNDS"); do
  echo "== round $r"
  echo "pair 1: proxy vs nginx proxy_pass (same static upstream)"
  pair "nginx proxy_pass|$FRONT|http://127.0.0.1:18081/hello|$COOKIE" \
    "$GWNAME|$GW|http://127.0.0.1:18083/hello|$COOKIE"
  echo "  -> ratio $(ratio "$RPS_B" "$RPS_A") (target >= 0.9)"
  echo "pair 2: proxy vs nginx proxy_pass + auth_request(whoami)"
  pair "nginx proxy_pass + auth_request|$FRONT|http://127.0.0.1:18082/hello|$COOKIE" \
    "$GWNAME|$GW|http://127.0.0.1:18083/hello|$COOKIE"
  echo "  -> ratio $(ratio "$RPS_B" "$RPS_A") (target >= 1.5)"
  echo "pair 3: decisions (cached sessions) vs direct upstream"
  pair "direct upstream (nginx return 200)|$UP|http://127.0.0.1:18080/hello|" \
    "gateway /decisions|$GW|http://127.0.0.1:18084/decisions/hello|$COOKIE;$XF"
  echo "  -> p99 added $(awk -v a="$P99_B" -v b="$P99_A" 'BEGIN {printf "%.2f", a - b}') ms (targets: >= 50000 req/s, <= 1 ms)"
  if [ "$PIN" = 1 ]; then
    # Pinned, the direct upstream above shares wrk's CPU and the gateway has one to itself;
    # here the direct upstream is alone on the gateway's CPU too.
    echo "pair 3, like for like: decisions vs the direct upstream, each alone on CPU 1"
    UP1=$(pgrep -d, -P "$(cat /tmp/nexus-bench-upstream1.pid)")
    pair "direct upstream on CPU 1 (nginx return 200)|$UP1|http://127.0.0.1:18086/hello|" \
      "gateway /decisions|$GW|http://127.0.0.1:18084/decisions/hello|$COOKIE;$XF"
    echo "  -> p99 added $(awk -v a="$P99_B" -v b="$P99_A" 'BEGIN {printf "%.2f", a - b}') ms (target <= 1 ms)"
  fi
done
echo "== rule matching cost, 10 vs 1000 rules (target ratio <= 2)"
$SIDE $EX/match_bench
