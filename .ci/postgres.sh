#!/usr/bin/env bash
# Usage: .ci/postgres.sh COMMAND [ARGS...]
#
# Runs COMMAND with TEST_POSTGRES_URL pointing at a throwaway PostgreSQL cluster: a
# temp dir, a loopback port, trust auth, fsync off, removed again when COMMAND ends (trap on
# EXIT). The tests that need PostgreSQL read that variable and skip without it.
#
# A PostgreSQL hiccup never fails the run: when the server cannot be found, installed or started,
# this prints one warning and runs COMMAND anyway (the PostgreSQL tests then skip), and COMMAND's
# exit status is always the script's.
#
#   - Binaries: $TEST_POSTGRES_BINDIR if set (only there), else PATH, else the newest
#     /usr/lib/postgresql/<ver>/bin (where Debian puts them).
#   - Missing and root: `apt-get install postgresql` (non-interactive, Debian's default "main"
#     cluster not created). Not root: no install, a warning.
#   - Root (CI): the cluster belongs to an unprivileged user ($TEST_POSTGRES_USER, default
#     nobody), as initdb refuses to run as root.
#   - TEST_POSTGRES_URL already set: used as is (your own server), nothing started.
#   - TEST_POSTGRES=off: no cluster (forces the fallback path).
set -uo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

PG_TMP=""
PG_BIN=""
PG_USER="${TEST_POSTGRES_USER:-nobody}"
SETUP_LOG=""

say() { echo "postgres.sh: $*" >&2; }

warn() {
    say "WARNING: $* -- running without PostgreSQL; the PostgreSQL tests skip" \
        "(TEST_POSTGRES_URL unset)."
    if [ -n "$SETUP_LOG" ] && [ -s "$SETUP_LOG" ]; then
        tail -n 15 "$SETUP_LOG" | sed 's/^/postgres.sh:   | /' >&2
    fi
}

# Runs a PostgreSQL tool as the cluster's owner: the unprivileged user when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$PG_TMP" && runuser -u "$PG_USER" -- "$@")
    else
        (cd "$PG_TMP" && "$@")
    fi
}

find_bindir() {
    local dir
    if [ -n "${TEST_POSTGRES_BINDIR:-}" ]; then
        [ -x "$TEST_POSTGRES_BINDIR/initdb" ] && PG_BIN="$TEST_POSTGRES_BINDIR"
        return 0
    fi
    # Through symlinks (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb): the
    # server and createdb live next to the real initdb.
    if command -v initdb >/dev/null 2>&1; then
        dir="$(dirname "$(readlink -f "$(command -v initdb)")")"
        if [ -x "$dir/pg_ctl" ] && [ -x "$dir/createdb" ]; then
            PG_BIN="$dir"
            return 0
        fi
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/createdb" ]; then
            PG_BIN="$dir"
            return 0
        fi
    done
}

install_postgres() {
    if [ "$(id -u)" -ne 0 ]; then
        warn "PostgreSQL binaries (initdb, pg_ctl) not found and not root, so not installing" \
            "(apt-get install postgresql, or set TEST_POSTGRES_BINDIR)"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        warn "PostgreSQL binaries not found and no apt-get to install them"
        return 1
    fi
    say "PostgreSQL not found; installing it with apt-get"
    # Our cluster is throwaway; Debian's always-running "main" cluster is not wanted.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = off" >/etc/postgresql-common/createcluster.d/crossdock-ci.conf
    if ! { DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q \
            --no-install-recommends postgresql; } >"$SETUP_LOG" 2>&1; then
        warn "apt-get install postgresql failed"
        return 1
    fi
    find_bindir
    if [ -z "$PG_BIN" ]; then
        warn "postgresql installed but initdb/pg_ctl still not found"
        return 1
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_cluster() {
    local port
    PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/crossdock-pg.XXXXXX")" || {
        warn "cannot create a temp dir"
        return 1
    }
    SETUP_LOG="$PG_TMP/setup.log"
    : >"$SETUP_LOG"
    find_bindir
    if [ -z "$PG_BIN" ]; then
        install_postgres || return 1
    fi
    if [ "$(id -u)" -eq 0 ]; then
        if ! id -u "$PG_USER" >/dev/null 2>&1; then
            warn "user $PG_USER (TEST_POSTGRES_USER) does not exist"
            return 1
        fi
        chown -R "$PG_USER" "$PG_TMP"
    fi
    port="$(free_port)" || {
        warn "cannot find a free port"
        return 1
    }
    if ! as_owner "$PG_BIN/initdb" -D "$PG_TMP/data" -U crossdock -A trust -E UTF8 \
        --no-locale --no-sync >>"$SETUP_LOG" 2>&1; then
        warn "initdb failed ($PG_BIN/initdb)"
        return 1
    fi
    if ! as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
        -o "-k $PG_TMP -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >>"$SETUP_LOG" 2>&1; then
        cat "$PG_TMP/server.log" >>"$SETUP_LOG" 2>/dev/null
        warn "pg_ctl start failed"
        return 1
    fi
    if ! as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U crossdock crossdock \
        >>"$SETUP_LOG" 2>&1; then
        warn "createdb failed"
        return 1
    fi
    export TEST_POSTGRES_URL="postgresql+psycopg://crossdock@127.0.0.1:$port/crossdock"
    say "PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') at 127.0.0.1:$port" \
        "(cluster in $PG_TMP, removed at exit)"
}

cleanup() {
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
        if [ -n "$PG_BIN" ] && [ -f "$PG_TMP/data/postmaster.pid" ]; then
            as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w -t 30 stop \
                >/dev/null 2>&1 || say "WARNING: pg_ctl stop failed (cluster in $PG_TMP)"
        fi
        rm -rf "$PG_TMP"
    fi
}

if [ -n "${TEST_POSTGRES_URL:-}" ]; then
    say "TEST_POSTGRES_URL already set; using that server"
elif [ "${TEST_POSTGRES:-}" = "off" ]; then
    warn "TEST_POSTGRES=off"
else
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if ! start_cluster; then
        unset TEST_POSTGRES_URL
        cleanup
        PG_TMP=""
    fi
fi

"$@"
exit $?
