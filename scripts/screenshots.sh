#!/usr/bin/env bash
# Screenshots of the explorer from real runs: the demo in tmux (private socket), captured with
# colours (capture-pane -e) and converted to SVG by scripts/ansi-to-svg.ts into screenshots/.
# Re-run whenever the UI changes:  bash scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "screenshots need tmux" >&2; exit 1; }
OUT=screenshots
mkdir -p "$OUT"
SOCK="layerlens-shots-$$"
COLS=160
ROWS=45
T() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null || true' EXIT
# A session that outlives the scenes: when a scene's session was the last one, the server exited
# and the next scene's new-session raced it ("server exited unexpectedly").
T new-session -d -s keep "sleep 3600"

# scene NAME TITLE KEYS... : start the demo, press KEYS (one send-keys each), capture.
scene() {
  local name=$1 title=$2
  shift 2
  T new-session -d -s "$name" -x $COLS -y $ROWS "unset CI; export TERM=xterm-256color; node --import tsx src/cli/main.ts --demo; sleep 30"
  # Loaded, and the full findings and the efficiency line drawn.
  for _ in $(seq 1 300); do
    T capture-pane -p -t "$name" | grep -q 'efficiency [0-9]' && break
    sleep 0.1
  done
  for k in "$@"; do
    T send-keys -t "$name" "$k"
    sleep 0.4
  done
  sleep 1
  T capture-pane -e -p -t "$name" > "$OUT/$name.ansi"
  node --import tsx scripts/ansi-to-svg.ts "$OUT/$name.ansi" "$OUT/$name.svg" $COLS $ROWS "$title"
  rm -f "$OUT/$name.ansi"
  T kill-session -t "$name"
  echo "wrote $OUT/$name.svg"
}

scene main 'layerlens --demo' ']' ']' ']' ']' ']' ']' ']' '-' g l j j j j j j j j j j j j j j l j j j l
scene changes-vs-aggregated "layerlens --demo — a: this layer's changes only" ']' ']' ']' ']' a
scene deleted-id_rsa 'layerlens --demo — n n: the deleted private key, still in layer 3' n n
scene viewer 'layerlens --demo — v: the deleted key, read from layer 3, masked' n n v
scene image 'layerlens --demo — i: image details, efficiency (also as dive counts it)' i
scene ports 'layerlens --demo — p: exposed ports' p
scene findings 'layerlens --demo — f: findings' f
scene history 'layerlens --demo — c: the leaked build argument' G ']' ']' ']' ']' ']' ']' ']' c
scene help 'layerlens --demo — ?: keys' '?'
