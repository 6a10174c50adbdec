#!/usr/bin/env bash
# The shared set-up, tried as the README describes it, with a hostile colleague: needs root
# (it creates test accounts) and Debian's systemd package (systemd-socket-activate,
# systemd-analyze). Not run by CI. Usage:
#   sudo scripts/shared_setup_check.sh [path/to/duban]   (default: target/release/duban)
# Accounts made (and removed at the end): duban-svc (owns the data, runs the server),
# duban-ed (staff, editor), duban-rd (staff, reader), duban-x (not staff).
set -uo pipefail
DUBAN=$(realpath "${1:-target/release/duban}")
DB=/srv/duban-check
UNITS=$(mktemp -d)
fails=0
say() { printf '%-70s %s\n' "$1" "$2"; }
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@" >/tmp/duban-check.out 2>&1; then say "$what" ok; else say "$what" FAIL; cat /tmp/duban-check.out; fails=$((fails+1)); fi
}
refused() { # description, expected words, then a command that must fail saying them
  local what=$1 words=$2; shift 2
  if "$@" >/tmp/duban-check.out 2>&1; then say "$what" "FAIL (it worked)"; fails=$((fails+1));
  elif grep -q -- "$words" /tmp/duban-check.out; then say "$what" ok;
  else say "$what" "FAIL (said: $(head -c 300 /tmp/duban-check.out))"; fails=$((fails+1)); fi
}
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@"; }

cleanup() {
  pkill -f "duban --db $DB serve" 2>/dev/null
  pkill -f "systemd-socket-activate -l $DB" 2>/dev/null
  for u in duban-svc duban-ed duban-rd duban-x; do userdel "$u" 2>/dev/null; done
  groupdel duban-staff 2>/dev/null
  rm -rf "$DB" "$UNITS"
}
trap cleanup EXIT
cleanup
groupadd duban-staff
useradd --system --no-create-home duban-svc
useradd --no-create-home -G duban-staff duban-ed
useradd --no-create-home -G duban-staff duban-rd
useradd --no-create-home duban-x
chmod o+rx "$(dirname "$DUBAN")" 2>/dev/null

check "init-shared creates the database, access.toml and units" \
  "$DUBAN" admin init-shared "$DB" --group duban-staff --owner duban-svc --units "$UNITS"
printf 'editors = ["duban-ed"]\nreaders = ["@duban-staff"]\n' > "$DB/access.toml"
chown duban-svc "$DB/access.toml"; chmod 644 "$DB/access.toml"
check "systemd-analyze verify accepts the units" \
  systemd-analyze verify "$UNITS/duban.socket" "$UNITS/duban.service"
check "the folder is 2750 duban-svc:duban-staff" \
  test "$(stat -c '%a %U:%G' "$DB")" = "2750 duban-svc:duban-staff"
check "no data file is readable by anyone but duban-svc" \
  bash -c "! find '$DB' -type f ! -name access.toml -perm /077 | grep -q ."

# Socket activation, as duban.socket would do it: the socket exists before any server.
systemd-socket-activate -l "$DB/duban.sock" \
  setpriv --reuid=duban-svc --regid="$(id -g duban-svc)" --init-groups -- \
  "$DUBAN" --db "$DB" serve --idle-exit 30 >/tmp/duban-activate.log 2>&1 &
for _ in $(seq 50); do [ -S "$DB/duban.sock" ] && break; sleep 0.1; done
chgrp duban-staff "$DB/duban.sock"; chmod 660 "$DB/duban.sock"
check "an editor sets a status through the activated server" as duban-ed "$DUBAN" --db "$DB" set 1 done
check "the server runs as duban-svc" bash -c "ps -o user= -C duban | grep -q duban-svc"
refused "a reader cannot edit" "may only read" as duban-rd "$DUBAN" --db "$DB" set 2 done
check "a reader reads" as duban-rd "$DUBAN" --db "$DB" show 1
refused "someone outside the group cannot connect" "permission denied" as duban-x "$DUBAN" --db "$DB" list
refused "a staff member cannot open the files directly" "" as duban-ed bash -c "cat '$DB/db' >/dev/null"
refused "a reader cannot rewrite access.toml" "" as duban-rd bash -c "echo 'editors=[\"duban-rd\"]' > '$DB/access.toml'"
refused "a reader cannot plant a socket or a log in the folder" "" as duban-rd bash -c "touch '$DB/serve.log.1' '$DB/x'"
# A colleague's own socket where a database's socket should be (a folder others can write,
# as the old group-shared set-up had) gets nothing from the next user: it is not served by
# the database's owner.
mkdir -p /tmp/duban-fakedb && chown duban-svc /tmp/duban-fakedb && chmod 1777 /tmp/duban-fakedb
as duban-rd /usr/bin/python3 - <<'PY' &
import socket, os
p = '/tmp/duban-fakedb/duban.sock'
s = socket.socket(socket.AF_UNIX); s.bind(p); os.chmod(p, 0o666); s.listen(5)
s.settimeout(10)
try:
    c, _ = s.accept(); c.settimeout(2)
    open('/tmp/duban-fake-got', 'wb').write(c.recv(65536))
except OSError:
    pass
PY
for _ in $(seq 50); do [ -S /tmp/duban-fakedb/duban.sock ] && break; sleep 0.1; done
refused "a socket not served by the database's owner gets nothing" "sent nothing" \
  as duban-ed "$DUBAN" --db /tmp/duban-fakedb note 1 "约谈记录 secret"
sleep 0.5
check "... and received not a byte" bash -c "[ ! -s /tmp/duban-fake-got ]"
wait
rm -rf /tmp/duban-fakedb /tmp/duban-fake-got

echo
if [ "$fails" = 0 ]; then echo "all checks passed"; else echo "$fails check(s) failed"; exit 1; fi
