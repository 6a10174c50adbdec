#!/usr/bin/env bash
# End-to-end check of sharing, as the office would see it: staff log into one server over
# SSH and work on one database in the terminal UI (`duban` with no subcommand). Run as root
# on a throwaway machine (it installs openssh-server and tmux, adds users and a group, and
# runs sshd on 127.0.0.1:2222 only).
#
#   alice, bob  group duban-staff, editors        dave  group duban-staff, reader
#   carol       not in the group: refused
#
# alice and bob each run `duban` over `ssh -t` in tmux windows (80x24; alice also at 200x50
# and with NO_COLOR=1), both on task 14. Keys go in with `tmux send-keys`, screens come out
# with `tmux capture-pane`:
#   1. bob presses 3 (进度滞后) on task 14: alice's screens show it, with a notice naming
#      bob, without a key sent to alice; the time from bob's key to alice's screen is
#      measured (screen polled every 10 ms) and must be under MAX_MS (default 300)
#   2. alice presses u: nothing to undo (the change was bob's); she sets task 52 to 4
#      (严重滞后) and it appears in bob's list, filtered on status:严重滞后
#   3. dave (reader) presses 3: refused in the status bar; carol cannot start the UI
#   4. `duban history 14` records bob's change as bob's
#   5. (shown, not checked) bob's u after alice changed the task he last changed
# The captured screens are written to $OUT (default /tmp/duban-e2e) and printed; the exit
# status is non-zero when a check failed. `KEEP=1` leaves users, sshd and the UIs running
# for a look around (`tmux -L duban-e2e attach`).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-/tmp/duban-e2e}"
PORT="${PORT:-2222}"
SHARED=/srv/duban
DB="$SHARED/office.db"
PROFILE="${PROFILE:-debug}"   # PROFILE=release for release binaries
MAX_MS="${MAX_MS:-300}"       # bob's key to alice's screen
SAMPLES="${SAMPLES:-6}"       # further key-to-screen measurements after the first
SESSION=duban-e2e
export LANG=C.UTF-8

say() { printf '\n== %s\n' "$*"; }
FAILED=()
fail() { echo "FAIL: $*"; FAILED+=("$*"); }
pass() { echo "ok: $*"; }
[ "$(id -u)" = 0 ] || { echo "run as root (it adds users and starts sshd)"; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

say "packages"
if ! command -v sshd >/dev/null || ! command -v tmux >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client tmux >/dev/null
fi

say "build and install duban"
cd "$ROOT"
flag=(); [ "$PROFILE" = release ] && flag=(--release)
cargo build -q "${flag[@]}" --bin duban
install -m 0755 "target/$PROFILE/duban" /usr/local/bin/duban

say "a previous run's UIs and server"
# Our own tmux server (not the default one), so other tmux sessions are left alone.
tmux_() { tmux -L "$SESSION" -f /dev/null "$@"; }
tmux_ kill-server 2>/dev/null || true
# A server left by a previous run (it exits 60 s after its last client) would still hold
# the database we are about to replace.
for pid in $(ps -eo pid=,args= | awk -v db="$DB" '$2 ~ /duban$/ && $3 == "--db" && $4 == db && $5 == "serve" {print $1}'); do
    kill "$pid" 2>/dev/null || true
done
sleep 0.2

say "users and the shared folder"
getent group duban-staff >/dev/null || groupadd duban-staff
for u in alice bob carol dave; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"
    usermod -p '*' "$u"   # no password, but not locked: sshd lets keys in
done
usermod -aG duban-staff alice; usermod -aG duban-staff bob; usermod -aG duban-staff dave
# The shared set-up the README describes: the data belong to a service account, staff
# reach them through the socket only (duban admin init-shared; the server is started as
# the service account here, as systemd's duban.service would).
id duban-svc >/dev/null 2>&1 || useradd --system --no-create-home duban-svc
rm -rf "$SHARED"
install -d -m 0755 "$SHARED"
duban admin init-shared "$DB" --group duban-staff --owner duban-svc --units "$OUT/units"
cat >"$DB/access.toml" <<'EOF'
# who may change tasks, who may only look ("@name" is a Unix group)
editors = ["alice", "bob"]
readers = ["dave"]
EOF
chown duban-svc "$DB/access.toml"; chmod 0644 "$DB/access.toml"
setpriv --reuid=duban-svc --regid="$(id -g duban-svc)" --init-groups -- \
    duban --db "$DB" serve >/dev/null 2>&1 &
for _ in $(seq 50); do [ -S "$DB/duban.sock" ] && break; sleep 0.1; done
ls -la "$SHARED" "$DB" >"$OUT/00-folder.txt"

say "sshd on 127.0.0.1:$PORT (keys only)"
mkdir -p /run/sshd /etc/duban-e2e
ssh-keygen -A >/dev/null
cat >/etc/duban-e2e/sshd_config <<EOF
Port $PORT
ListenAddress 127.0.0.1
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
UsePAM no
PidFile /run/duban-e2e-sshd.pid
AcceptEnv LANG LC_*
EOF
[ -f /run/duban-e2e-sshd.pid ] && kill "$(cat /run/duban-e2e-sshd.pid)" 2>/dev/null || true
sleep 0.2
/usr/sbin/sshd -f /etc/duban-e2e/sshd_config
for u in alice bob carol dave; do
    key=/etc/duban-e2e/id_$u
    [ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -f "$key"
    install -d -o "$u" -g "$u" -m 0700 "/home/$u/.ssh"
    install -o "$u" -g "$u" -m 0600 "$key.pub" "/home/$u/.ssh/authorized_keys"
done
# ssh-as USER COMMAND...: a login as USER, with a terminal when there is one.
cat >/etc/duban-e2e/ssh-as <<EOF
#!/bin/sh
u=\$1; shift
exec ssh -q -i "/etc/duban-e2e/id_\$u" -p $PORT -o StrictHostKeyChecking=no \\
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes -t "\$u@127.0.0.1" "\$@"
EOF
chmod 0755 /etc/duban-e2e/ssh-as
ssh_as() { /etc/duban-e2e/ssh-as "$@"; }

# The screens. A window runs one login; when duban ends, its exit status stays on screen.
ui() { # window, user, [VAR=value...]: `duban --db DB` over ssh -t in a new tmux window
    local w=$1 u=$2; shift 2
    local cmd="/etc/duban-e2e/ssh-as $u env LANG=C.UTF-8 $* duban --db $DB; echo \"[duban exited: \$?]\"; sleep 3600"
    if tmux_ has-session -t "$SESSION" 2>/dev/null; then
        tmux_ new-window -d -t "$SESSION" -n "$w" "$cmd"
    else
        tmux_ -u new-session -d -s "$SESSION" -x 80 -y 24 -n "$w" "$cmd"
    fi
}
capture() { tmux_ capture-pane -p -t "$SESSION:$1"; }
keys() { tmux_ send-keys -t "$SESSION:$1" "${@:2}"; }      # tmux key names: Enter Escape
typed() { tmux_ send-keys -t "$SESSION:$1" -l "$2"; }      # literal text
now_us() { echo "${EPOCHREALTIME/./}"; }
# until_screen WINDOW REGEX SECONDS [NOT]: polls WINDOW's screen every 10 ms until it
# matches REGEX (and differs from NOT, a screen captured before); false on time-out.
until_screen() {
    local end=$(( $(now_us) + $3 * 1000000 )) s
    while [ "$(now_us)" -lt "$end" ]; do
        s=$(capture "$1")
        if [ "$s" != "${4-}" ] && grep -qE -- "$2" <<<"$s"; then return 0; fi
        sleep 0.01
    done
    return 1
}
wait_for() { # window, regex, seconds: as until_screen, a failed check when it times out
    until_screen "$1" "$2" "$3" && return 0
    fail "timed out after $3 s waiting for /$2/ on $1's screen"
    capture "$1" | sed 's/^/    | /'
    return 1
}
# latency WINDOW REGEX KEY-WINDOW KEY: sends KEY to KEY-WINDOW and prints the ms until
# WINDOW's screen changes to match REGEX (polled every 10 ms, up to 3 s); "timeout" if not.
latency() {
    local before t0
    before=$(capture "$1")
    t0=$(now_us)
    keys "$3" "$4"
    if until_screen "$1" "$2" 3 "$before"; then
        echo $(( ($(now_us) - t0) / 1000 ))
    else
        echo timeout
    fi
}
on_screen() { # file, regex, what: a check on a captured screen
    if grep -qE -- "$2" "$1"; then pass "$3"; else fail "$3 (no /$2/ in $(basename "$1"))"; fi
}
ARROW='(→|->)'

say "alice and bob start duban over ssh -t (tmux, 80x24; alice also 200x50 and NO_COLOR=1)"
ui alice alice
wait_for alice "全部" 20 || true   # her UI joins the service account's server
capture alice >"$OUT/01-alice-start.txt"
ui bob bob
ui alice-wide alice
tmux_ resize-window -t "$SESSION:alice-wide" -x 200 -y 50
ui alice-mono alice NO_COLOR=1
for w in bob alice-wide alice-mono; do wait_for "$w" "全部" 20 || true; done
ps -o user:20,pid,args -C duban >"$OUT/02-processes.txt" || true
grep -qE "^duban-svc .*duban --db $DB serve" "$OUT/02-processes.txt" \
    && pass "the shared server runs as the service account, duban-svc" \
    || fail "no 'duban --db $DB serve' run by duban-svc (see 02-processes.txt)"
[ "$(grep -c -- "--db $DB serve" "$OUT/02-processes.txt")" = 1 ] \
    && pass "one server for four UIs" || fail "not exactly one server (see 02-processes.txt)"

for w in alice bob alice-wide alice-mono; do
    typed "$w" "/#14"; keys "$w" Enter
done
for w in alice bob alice-wide alice-mono; do wait_for "$w" "^ #14 " 10 || true; done
capture alice >"$OUT/03-alice-on-14.txt"

say "bob presses 3 on task 14; alice's screen changes without a key"
NOTICE="bob #14 状态 未启动 $ARROW 进度滞后（[0-9]{2}:[0-9]{2}）"
before=$(capture alice)
t0=$(now_us)
keys bob 3
alice_ms="" bob_ms=""
end=$(( t0 + 3000000 ))
while [ "$(now_us)" -lt "$end" ] && { [ -z "$alice_ms" ] || [ -z "$bob_ms" ]; }; do
    if [ -z "$alice_ms" ]; then
        s=$(capture alice)
        if [ "$s" != "$before" ] && grep -qE "$NOTICE" <<<"$s"; then
            alice_ms=$(( ($(now_us) - t0) / 1000 ))
            printf '%s\n' "$s" >"$OUT/04-alice-after-bob.txt"
        fi
    fi
    if [ -z "$bob_ms" ] && capture bob | grep -qE "已保存 #14 未启动 $ARROW 进度滞后"; then
        bob_ms=$(( ($(now_us) - t0) / 1000 ))
    fi
    sleep 0.01
done
capture bob >"$OUT/05-bob-after-his-edit.txt"
if [ -z "$alice_ms" ]; then
    capture alice >"$OUT/04-alice-after-bob.txt"
    fail "alice's screen did not show bob's change within 3 s"
else
    {
        echo "bob's key to bob's own \"saved\": ${bob_ms:-none} ms"
        echo "bob's key to alice's screen:     ${alice_ms} ms (limit ${MAX_MS} ms)"
    } | tee "$OUT/06-timing.txt"
    [ "$alice_ms" -le "$MAX_MS" ] && pass "alice saw it within ${MAX_MS} ms" \
        || fail "alice saw bob's change after ${alice_ms} ms (limit ${MAX_MS} ms)"
fi
f="$OUT/04-alice-after-bob.txt"
on_screen "$f" "^ #14 .*▲ 进度滞后" "alice's title line shows task 14 as ▲ 进度滞后"
on_screen "$f" "^状态 +▲ 进度滞后" "alice's 状态 field shows ▲ 进度滞后"
on_screen "$f" "$NOTICE" "alice's status bar names bob and what he changed"
on_screen "$f" "bob +状态 未启动 $ARROW 进度滞后" "alice's history on the screen has bob's change"
for w in alice-wide alice-mono; do
    if until_screen "$w" "$NOTICE" 3; then
        capture "$w" >"$OUT/07-$w-after-bob.txt"
        pass "$w's screen shows bob's change too"
    else
        capture "$w" >"$OUT/07-$w-after-bob.txt"
        fail "$w's screen did not show bob's change"
    fi
done

say "$SAMPLES more of bob's keys on task 14 (4, 3, ...), timed on alice's screen"
samples=("$alice_ms")
for i in $(seq 1 "$SAMPLES"); do
    sleep 0.3
    if [ $((i % 2)) = 1 ]; then k=4 re="bob #14 状态 进度滞后 $ARROW 严重滞后"
    else k=3 re="bob #14 状态 严重滞后 $ARROW 进度滞后"; fi
    ms=$(latency alice "$re" bob "$k")
    echo "  bob $k: ${ms} ms"
    if [ "$ms" = timeout ]; then fail "sample $i: alice's screen did not change"; else samples+=("$ms"); fi
done
[ $((SAMPLES % 2)) = 0 ] || { sleep 0.3; keys bob 3; }   # task 14 ends 进度滞后
sorted=$(printf '%s\n' "${samples[@]}" | grep -E '^[0-9]+$' | sort -n)
if [ -n "$sorted" ]; then
    n=$(wc -l <<<"$sorted")
    printf 'bob key -> alice screen over %d keys: min %s ms, median %s ms, max %s ms\n' "$n" \
        "$(head -1 <<<"$sorted")" "$(sed -n "$(( (n + 1) / 2 ))p" <<<"$sorted")" \
        "$(tail -1 <<<"$sorted")" | tee -a "$OUT/06-timing.txt"
fi
sleep 0.3

say "alice presses u: the change was bob's, so she has nothing to undo"
keys alice u
wait_for alice "没有可撤销" 3 && pass "alice's u says nothing to undo" || true
capture alice >"$OUT/08-alice-undo.txt"
on_screen "$OUT/08-alice-undo.txt" "^状态 +▲ 进度滞后" "task 14 is still 进度滞后 after alice's u"

say "bob filters his list on status:严重滞后; alice sets task 52 to 4 (严重滞后); bob's list shows it"
keys bob Escape
typed bob "/status:严重滞后"; keys bob Enter
wait_for bob '搜索“status:严重滞后”' 5 || true
capture bob >"$OUT/09-bob-list-before.txt"
keys alice Escape
typed alice "/#52"; keys alice Enter
wait_for alice "^ #52 " 5 || true
ms=$(latency bob "(^|[^0-9])52 ■ 严重滞后" alice 4)
capture bob >"$OUT/10-bob-list-after-alice.txt"
capture alice >"$OUT/11-alice-after-her-edit.txt"
on_screen "$OUT/11-alice-after-her-edit.txt" "已保存 #52 未启动 $ARROW 严重滞后" "alice's edit is saved"
if [ "$ms" = timeout ]; then
    fail "task 52 did not appear in bob's filtered list"
else
    pass "task 52 appeared in bob's list, ${ms} ms after alice's key"
    echo "alice's key (task 52) to bob's list: ${ms} ms" >>"$OUT/06-timing.txt"
fi

say "dave (reader) presses 3 on a task; carol (outside the group) starts duban"
ui dave dave
wait_for dave "全部" 20 || true
capture dave >"$OUT/12-dave-start.txt"
on_screen "$OUT/12-dave-start.txt" "dave：你只能查看此数据库" \
    "dave is told at start that he may only read"
keys dave 3
wait_for dave "未作修改" 5 || true
capture dave >"$OUT/12-dave-refused.txt"
on_screen "$OUT/12-dave-refused.txt" "你只能查看此数据库，未作修改" \
    "dave's status bar says the edit was refused, as he may only read"
on_screen "$OUT/12-dave-refused.txt" "^▶ +1 ○ 未启动" "task 1 stays 未启动 on dave's screen"
ui carol carol
wait_for carol "duban exited" 20 || true
capture carol >"$OUT/13-carol-refused.txt"
on_screen "$OUT/13-carol-refused.txt" "拒绝访问" "carol is told permission is denied"
on_screen "$OUT/13-carol-refused.txt" "加入该文件夹的用户组" "carol is told what to do"
on_screen "$OUT/13-carol-refused.txt" "duban exited: [1-9]" "carol's duban exits with an error"

say "history records who did what"
ssh_as dave duban --db "$DB" history 14 >"$OUT/14-history-14-seen-by-dave.txt" 2>&1 || true
ssh_as alice duban --db "$DB" history 1 >"$OUT/15-history-1.txt" 2>&1 || true
on_screen "$OUT/14-history-14-seen-by-dave.txt" "bob .*未启动 $ARROW 进度滞后" "history 14 records bob's change as bob's"
if grep -q "进度滞后" "$OUT/15-history-1.txt"; then
    fail "dave's refused edit of task 1 is in its history"
else pass "dave's refused edit left no history"; fi

say "NO_COLOR=1: no colours, selection still visible"
tmux_ capture-pane -p -e -t "$SESSION:alice-mono" >"$OUT/16-alice-mono-attributes.esc"
tmux_ capture-pane -p -e -t "$SESSION:alice" >"$OUT/16-alice-colour-attributes.esc"
sgr() { grep -oaE $'\e\\[[0-9;]*m' "$1" | tr -d $'\e[m' | tr ';' '\n' | sort -u; }
colour='^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$'
if sgr "$OUT/16-alice-mono-attributes.esc" | grep -qE "$colour"; then
    fail "the NO_COLOR screen has colours (SGR $(sgr "$OUT/16-alice-mono-attributes.esc" | grep -E "$colour" | tr '\n' ' '))"
else pass "the NO_COLOR screen has no colours"; fi
sgr "$OUT/16-alice-colour-attributes.esc" | grep -qE "$colour" \
    || echo "note: alice's colour screen shows no colour either (TERM over ssh: ${TERM:-?})"
keys alice-mono Escape
wait_for alice-mono "^▶ +14 ▲ 进度滞后" 5 || true
tmux_ capture-pane -p -e -t "$SESSION:alice-mono" >"$OUT/17-alice-mono-list.esc"
capture alice-mono >"$OUT/17-alice-mono-list.txt"
sgr "$OUT/17-alice-mono-list.esc" | grep -qx 7 && pass "NO_COLOR selection is in reverse video" \
    || fail "no reverse video on the NO_COLOR list"
on_screen "$OUT/17-alice-mono-list.txt" "^▶ +14 ▲ 进度滞后" "NO_COLOR list: ▶ on task 14, status as glyph and label"

say "bob presses u after alice changed task 14: his undo must not overwrite her change"
keys alice-mono 5
wait_for alice-mono "已保存 #14 进度滞后 $ARROW 已完成" 5 || true
sleep 0.3
keys bob u
until_screen bob "已撤销|未保存|没有可撤销" 5 || true
sleep 0.3
{
    echo "alice (NO_COLOR window) pressed 5 on task 14, then bob pressed u:"
    echo "--- bob's status bar:"; capture bob | tail -1
    echo "--- alice's status bar:"; capture alice-mono | tail -1
    echo "--- history 14, newest last:"
    ssh_as alice duban --db "$DB" history 14 2>&1 | tail -3
} >"$OUT/19-undo-after-another-change.txt"
on_screen "$OUT/19-undo-after-another-change.txt" "没有可撤销" \
    "bob's u does nothing: alice changed the task after his edit"
on_screen "$OUT/19-undo-after-another-change.txt" "alice +#14 状态 进度滞后 $ARROW 已完成\$" \
    "alice's change is the last word on task 14"

if [ "${KEEP:-0}" != 1 ]; then
    say "quit: every UI ends cleanly (q goes back from a detail, then quits on the list)"
    for w in alice bob alice-wide alice-mono dave; do keys "$w" q; done
    for w in alice bob alice-wide alice-mono dave; do
        until_screen "$w" "duban exited" 2 || keys "$w" q
    done
    for w in alice bob alice-wide alice-mono dave; do
        wait_for "$w" "duban exited: 0" 5 && pass "$w's duban quit with status 0" || true
    done
    capture bob >"$OUT/18-bob-after-quit.txt"
fi

for f in "$OUT"/*.txt; do
    printf '\n----- %s\n' "$(basename "$f")"
    tr -d '\r' <"$f"
done

if [ "${KEEP:-0}" != 1 ]; then
    tmux_ kill-server 2>/dev/null || true
    kill "$(cat /run/duban-e2e-sshd.pid)" 2>/dev/null || true
fi
echo
if [ ${#FAILED[@]} -gt 0 ]; then
    say "FAILED ${#FAILED[@]} check(s):"
    printf '  - %s\n' "${FAILED[@]}"
    exit 1
fi
say "passed: edits appeared live on the other's screen; reader refused in the UI, outsider kept out"
