#!/usr/bin/env bash
# make demo: build, make the sample library, start the relay and the server on loopback, pair a
# client with the server's claim code (client files under .demo/), and open the TUI in the
# foreground. Quitting the TUI (q) or Ctrl-C stops the relay and the server too.
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

json() { python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', ''))"; }

"$bin/mydia-relay" --host 127.0.0.1 --port 0 --print-ready >"$demo/relay.out" 2>"$demo/relay.log" &
relay_pid=$!
relay_url=$(wait_ready "$demo/relay.out" relay "$relay_pid" | json relay_url)

"$bin/mydia-server" --relay "$relay_url" --library "$demo/library" --state-dir "$demo/server-state" \
  --host 127.0.0.1 --name "Mydia demo" --claim-on-start --print-ready >"$demo/server.out" 2>"$demo/server.log" &
server_pid=$!
ready=$(wait_ready "$demo/server.out" server "$server_pid")
code=$(printf '%s' "$ready" | json claim_code)
if [ -z "$code" ]; then
  echo "demo: the server issued no claim code; its log:" >&2
  cat "$demo/server.log" >&2
  exit 1
fi

# The client: paired afresh each run (the relay's port changes), its files under .demo/.
export MYDIA_CONFIG_DIR="$PWD/$demo/client" MYDIA_CACHE_DIR="$PWD/$demo/cache" XDG_STATE_HOME="$PWD/$demo/state"
rm -rf "$MYDIA_CONFIG_DIR"
if ! "$bin/mydia-tui" pair "$code" --relay "$relay_url" --name "demo terminal" >"$demo/pair.out" 2>"$demo/pair.log"; then
  echo "demo: pairing failed:" >&2
  cat "$demo/pair.log" >&2
  exit 1
fi

status=0
"$bin/mydia-tui" || status=$?

cat <<INFO

  Relay:    $relay_url
  Server:   $(printf '%s' "$ready" | json instance_name) ($(printf '%s' "$ready" | json instance_id))
  Devices:  $bin/mydia-server devices --state-dir .demo/server-state
  Logs:     .demo/relay.log, .demo/server.log, .demo/state/mydia-tui/mydia-tui.log
  The relay and the server stop now.
INFO
exit "$status"
