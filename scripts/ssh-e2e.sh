#!/usr/bin/env bash
# End-to-end check of sharing, as the office would see it: staff log into one server over
# SSH and work on one database. Run as root on a throwaway machine (it installs
# openssh-server, adds users and a group, and runs sshd on 127.0.0.1:2222 only).
#
#   alice, bob  group duban-staff, editors        dave  group duban-staff, reader
#   carol       not in the group: refused
#
# alice and bob each watch the task list over SSH in tmux; an edit by one appears on the
# other's screen. The captured screens are written to $OUT (default /tmp/duban-e2e) and
# printed. `KEEP=1` leaves users, sshd and tmux running for a look around.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-/tmp/duban-e2e}"
PORT="${PORT:-2222}"
SHARED=/srv/duban
DB="$SHARED/office.db"
PROFILE="${PROFILE:-debug}"   # PROFILE=release for release binaries
SESSION=duban-e2e
export LANG=C.UTF-8

say() { printf '\n== %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "run as root (it adds users and starts sshd)"; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

say "packages"
if ! command -v sshd >/dev/null || ! command -v tmux >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client tmux >/dev/null
fi

say "build and install duban and the share client"
cd "$ROOT"
flag=(); [ "$PROFILE" = release ] && flag=(--release)
cargo build -q "${flag[@]}" --bin duban --example share
install -m 0755 "target/$PROFILE/duban" /usr/local/bin/duban
install -m 0755 "target/$PROFILE/examples/share" /usr/local/bin/duban-share

say "users and the shared folder"
getent group duban-staff >/dev/null || groupadd duban-staff
for u in alice bob carol dave; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"
    usermod -p '*' "$u"   # no password, but not locked: sshd lets keys in
done
usermod -aG duban-staff alice; usermod -aG duban-staff bob; usermod -aG duban-staff dave
# Everything the servers create is for the group (the server sets umask 007 itself; the
# staff's shells get it too, for the database's first files).
for u in alice bob dave; do
    grep -q 'umask 007' "/home/$u/.profile" 2>/dev/null || echo 'umask 007' >>"/home/$u/.profile"
done
rm -rf "$SHARED"
install -d -o root -g duban-staff -m 2770 "$SHARED"
su - alice -c "umask 007; duban --db $DB list >/dev/null"   # creates it with the sample
cat >"$DB/access.toml" <<'EOF'
# who may change tasks, who may only look ("@name" is a Unix group)
editors = ["alice", "bob"]
readers = ["dave"]
EOF
chgrp duban-staff "$DB/access.toml"; chmod 0640 "$DB/access.toml"
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
/usr/sbin/sshd -f /etc/duban-e2e/sshd_config
for u in alice bob carol dave; do
    key=/etc/duban-e2e/id_$u
    [ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -f "$key"
    install -d -o "$u" -g "$u" -m 0700 "/home/$u/.ssh"
    install -o "$u" -g "$u" -m 0600 "$key.pub" "/home/$u/.ssh/authorized_keys"
done
ssh_as() { # user, command...
    local u=$1; shift
    ssh -q -i "/etc/duban-e2e/id_$u" -p "$PORT" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -t "$u@127.0.0.1" "$@"
}
export -f ssh_as; export PORT

say "alice and bob log in over SSH and watch the tasks (tmux)"
tmux kill-session -t "$SESSION" 2>/dev/null || true
tmux -u new-session -d -s "$SESSION" -x 90 -y 26 -n alice \
    "bash -c 'ssh_as alice LANG=C.UTF-8 duban-share --db $DB watch; sleep 600'"
tmux new-window -t "$SESSION" -n bob \
    "bash -c 'ssh_as bob LANG=C.UTF-8 duban-share --db $DB watch; sleep 600'"
capture() { tmux capture-pane -p -t "$SESSION:$1"; }
wait_for() { # window, text, seconds
    local end=$((SECONDS + $3))
    while [ $SECONDS -lt $end ]; do
        capture "$1" | grep -q -- "$2" && return 0
        sleep 0.05
    done
    echo "timed out waiting for '$2' on $1's screen:"; capture "$1"; return 1
}
wait_for alice "alice (edits)" 20
wait_for bob "bob (edits)" 20
capture alice >"$OUT/01-alice-before.txt"
ps -o user,pid,args -C duban >"$OUT/02-server-process.txt" || true

say "bob sets task 3 to 严重滞后; alice's screen changes without a key"
start=$(date +%s%N)
ssh_as bob duban-share --db "$DB" set 3 seriously_behind "'bob: 约谈牵头单位'" >"$OUT/03-bob-set.txt" 2>&1
wait_for alice "bob  #3 status" 5
ms=$(( ($(date +%s%N) - start) / 1000000 ))
capture alice >"$OUT/04-alice-after-bob.txt"
echo "from bob's ssh command (login + edit) to alice's screen: ${ms} ms" | tee "$OUT/05-timing.txt"

say "alice sets task 5 to 已完成; bob's screen changes"
ssh_as alice duban-share --db "$DB" set 5 done >"$OUT/06-alice-set.txt" 2>&1
wait_for bob "alice  #5 status" 5
capture bob >"$OUT/07-bob-after-alice.txt"

say "dave (reader) tries an edit; carol (outside the group) tries to look"
ssh_as dave duban-share --db "$DB" set 3 done >"$OUT/08-dave-refused.txt" 2>&1 && {
    echo "dave's edit was accepted"; exit 1; } || true
ssh_as carol duban-share --db "$DB" watch >"$OUT/09-carol-refused.txt" 2>&1 && {
    echo "carol got in"; exit 1; } || true
grep -q "may only read" "$OUT/08-dave-refused.txt"
grep -qi "permission denied" "$OUT/09-carol-refused.txt"

say "history records who did what"
ssh_as alice duban-share --db "$DB" set 3 behind "'alice: 已督办'" >/dev/null 2>&1
ssh_as dave duban-share --db "$DB" history 3 >"$OUT/10-history-seen-by-dave.txt" 2>&1

for f in "$OUT"/*.txt; do
    printf '\n----- %s\n' "$(basename "$f")"
    tr -d '\r' <"$f"
done

if [ "${KEEP:-0}" != 1 ]; then
    tmux kill-session -t "$SESSION" 2>/dev/null || true
    kill "$(cat /run/duban-e2e-sshd.pid)" 2>/dev/null || true
fi
say "passed: an edit by one appeared on the other's screen; reader and outsider refused"
