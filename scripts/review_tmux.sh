#!/usr/bin/env bash
# The quarterly review as a clerk does it, over tmux at 80×24: the sample, then the Q3
# report, then `r` and one key per task — `a` where the screen offers a suggestion to
# accept (`· a 采纳`), Space otherwise — until the review says it is done. Prints the keys
# typed, the tasks judged and keys per task (issue 12 asks for ≤ 1.5).
#
#   scripts/review_tmux.sh [path/to/duban]     (default: target/release/duban)
set -euo pipefail
cd "$(dirname "$0")/.."
DUBAN=${1:-target/release/duban}
[ -x "$DUBAN" ] || { echo "build it first: cargo build --release" >&2; exit 1; }
WORK=$(mktemp -d)
SOCK="duban-review-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"' EXIT
DB="$WORK/db"
"$DUBAN" --db "$DB" import data/sample_2020h1_wuhu.txt >/dev/null
"$DUBAN" --db "$DB" import tests/fixtures/q3_2020/report_labelled.txt >/dev/null 2>&1
tmux -L "$SOCK" new -d -s r -x 80 -y 24 "TERM=xterm-256color $DUBAN --db $DB"
screen() { tmux -L "$SOCK" capture-pane -p -t r; }
wait_for() {
    for _ in $(seq 1 200); do screen | grep -q -- "$1" && return 0; sleep 0.05; done
    echo "timed out waiting for: $1" >&2; screen >&2; exit 1
}
wait_for "逐项复核"
keys=0
send() { tmux -L "$SOCK" send-keys -t r "$1"; keys=$((keys + 1)); }
send r
judged=0
last=""
while :; do
    wait_for "复核\|复核完成"
    s=$(screen)
    if grep -q "复核完成" <<<"$s"; then break; fi
    pos=$(grep -o "第 [0-9]*/[0-9]* 项" <<<"$s" | head -1)
    if [ "$pos" = "$last" ]; then sleep 0.05; continue; fi
    last=$pos
    if grep -q "· a 采纳" <<<"$s"; then send a; else send Space; fi
    judged=$((judged + 1))
done
total=$(grep -o "[0-9]* 项任务都已判断" <<<"$s" | grep -o "^[0-9]*")
echo "keys typed: $keys"
echo "tasks judged: $judged (the review says $total)"
awk -v k="$keys" -v t="$judged" 'BEGIN { printf "keys per task: %.3f\n", k / t }'
screen | tail -1
