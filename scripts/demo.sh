#!/usr/bin/env bash
# make demo (first stage): build, make the sample library, start the relay and the server on
# loopback, and show the claim code and the URLs. Ctrl-C stops everything.
# Later stages pair a client and open the TUI automatically.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(swift build --show-bin-path)
demo=.demo
mkdir -p "$demo"
bash Resources/make-sample-library.sh "$demo/library"

cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "${relay_pid:-}" ] && kill "$relay_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# Prints a process's `ready` JSON line from its stdout, waiting up to 30 s for it.
wait_ready() {
  local file=$1 what=$2
  for _ in $(seq 1 150); do
    if grep -q '"event":"ready"' "$file" 2>/dev/null; then grep -m 1 '"event":"ready"' "$file"; return 0; fi
    if ! kill -0 "$3" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "demo: $what did not become ready; its log:" >&2
  cat "$demo/$what.log" >&2 || true
  exit 1
}

"$bin/mydia-relay" --host 127.0.0.1 --port 0 --print-ready >"$demo/relay.out" 2>"$demo/relay.log" &
relay_pid=$!
relay_url=$(wait_ready "$demo/relay.out" relay "$relay_pid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["relay_url"])')

"$bin/mydia-server" --relay "$relay_url" --library "$demo/library" --state-dir "$demo/server-state" \
  --host 127.0.0.1 --name "Mydia demo" --claim-on-start --print-ready >"$demo/server.out" 2>"$demo/server.log" &
server_pid=$!
ready=$(wait_ready "$demo/server.out" server "$server_pid")

python3 - "$relay_url" "$ready" "$bin" <<'PY'
import json, sys
relay, ready, bin = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
code = ready.get("claim_code", "")
print()
print(f"  Relay:        {relay}")
print(f"  Server:       {ready['instance_name']} ({ready['instance_id']})")
print(f"  Direct URLs:  {', '.join(ready['direct_urls'])}")
print(f"  Certificate:  sha256 {ready['cert_fingerprint']}")
print(f"  Claim code:   {code[:3]} {code[3:]}   (valid until {ready.get('claim_expires_at', '?')})")
print()
print(f"  New code:     {bin}/mydia-server claim --state-dir .demo/server-state")
print(f"  Devices:      {bin}/mydia-server devices --state-dir .demo/server-state")
print("  Logs:         .demo/relay.log, .demo/server.log")
print()
print("  The terminal client (pairing and the TUI) is not built yet; press Ctrl-C to stop.")
PY
wait "$server_pid"
