#!/usr/bin/env bash
# Identity-server benchmarks (issue 2): whoami vs /health/alive with wrk, password-login
# throughput vs the raw hash rate, idle memory. Release build, SQLite, loopback.
#   bench/identity/run.sh            (installs wrk from Debian if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -p nexus-cli >/dev/null
cargo build --release -p nexus-identity --example login_load >/dev/null
BIN=target/release/nexus-auth
TMP=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PUB=$(free_port); ADM=$(free_port)
cat > "$TMP/kratos.yml" <<YAML
dsn: sqlite://$TMP/bench.db?_fk=true&mode=rwc
serve:
  public: { host: 127.0.0.1, port: $PUB, base_url: "http://127.0.0.1:$PUB/" }
  admin: { host: 127.0.0.1, port: $ADM }
identity:
  schemas: [{ id: default, url: "file://$PWD/deploy/kratos/identity.schema.json" }]
selfservice:
  default_browser_return_url: http://127.0.0.1:4455/
  methods: { password: { config: { haveibeenpwned_enabled: false } } }
  flows:
    registration: { after: { password: { hooks: [{ hook: session }] } } }
secrets: { default: ["bench-secret-bench-secret-0123456789"] }
hashers: { algorithm: bcrypt, bcrypt: { cost: 12 } }
log: { level: error }
YAML
$BIN identity migrate -c "$TMP/kratos.yml" --yes >/dev/null
$BIN identity serve -c "$TMP/kratos.yml" --dev & PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PUB/health/ready" >/dev/null && break; sleep 0.2; done
sleep 1
echo "idle RSS: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$PID/status)"

EMAIL="bench-$RANDOM@example.com"; PASS="bench-password-$RANDOM-long"
python3 - "$PUB" "$EMAIL" "$PASS" > "$TMP/cookie" <<'PY'
import json, sys, urllib.request, http.cookiejar
pub, email, password = sys.argv[1:]
base = f"http://127.0.0.1:{pub}"
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
def call(url, body=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
        headers={"Accept": "application/json", "Content-Type": "application/json"})
    return json.load(op.open(req))
flow = call(f"{base}/self-service/registration/browser")
csrf = next(n["attributes"]["value"] for n in flow["ui"]["nodes"] if n["attributes"].get("name") == "csrf_token")
call(flow["ui"]["action"], {"method": "password", "csrf_token": csrf, "password": password, "traits": {"email": email}})
print(next(c.value for c in jar if c.name == "ory_kratos_session"))
PY
COOKIE=$(cat "$TMP/cookie")
wrk_run() { wrk -t2 -c32 -d10s --latency "$@" | awk '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2} END {print rps, p99}'; }
read -r ALIVE_RPS ALIVE_P99 < <(wrk_run "http://127.0.0.1:$PUB/health/alive")
read -r WHO_RPS WHO_P99 < <(wrk_run -H "Cookie: ory_kratos_session=$COOKIE" "http://127.0.0.1:$PUB/sessions/whoami")
echo "/health/alive:     $ALIVE_RPS req/s, p99 $ALIVE_P99"
echo "/sessions/whoami:  $WHO_RPS req/s, p99 $WHO_P99"
python3 -c "print(f'whoami / alive ratio: {float(\"$WHO_RPS\")/float(\"$ALIVE_RPS\"):.2f}')"
curl -s -o /dev/null -w "whoami status check: %{http_code}\n" -H "Cookie: ory_kratos_session=$COOKIE" "http://127.0.0.1:$PUB/sessions/whoami"
target/release/examples/login_load "http://127.0.0.1:$PUB" "$EMAIL" "$PASS" 64 20 12
echo "RSS after load: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$PID/status)"
