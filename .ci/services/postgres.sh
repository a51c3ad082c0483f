# PostgreSQL for the platform's store tests.
#
# Sourced (not executed) by .ci/run as root on a fresh Debian machine; safe to
# source again (idempotent). Installs PostgreSQL from Debian's packages if
# missing, starts a private cluster owned by the postgres user on a free port
# of 127.0.0.1 (never another address), creates a role and a database, and
# exports COOPGOV_TEST_PG_DSN for the tests.  The cluster's folder is
# $COOPGOV_PG_DATA; when unset, a new folder of this shell is made
# (mktemp), so that two runs never share a database.  .ci/run stops the
# server when it exits.
#
# Local use:   source .ci/services/postgres.sh && python -m pytest tests/platform -q
# Stop it:     su postgres -s /bin/sh -c "$COOPGOV_PG_BIN/pg_ctl -D $COOPGOV_PG_DATA stop"

_coopgov_pg_setup() {
    local bin data port log user db pw
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
    fi
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    data=${COOPGOV_PG_DATA:-$(mktemp -d /var/tmp/coopgov-pg.XXXXXX)}
    log="$data.log"
    user=coopgov
    db=coopgov_test
    pw=coopgov-test
    if [ ! -s "$data/PG_VERSION" ]; then
        mkdir -p "$data"
        chown postgres "$data"
        chmod 700 "$data"
        su postgres -s /bin/sh -c "'$bin/initdb' -D '$data' -A trust -U postgres" >/dev/null
    fi
    touch "$log" && chown postgres "$log"
    if su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$data' status" >/dev/null 2>&1; then
        port=$(sed -n 4p "$data/postmaster.pid")
    else
        # A free port on the loopback interface, chosen by the kernel.
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$data' -l '$log' -w -o \"-p $port -h 127.0.0.1 -k /tmp\" start" >/dev/null
    fi
    local psql="$bin/psql -h 127.0.0.1 -p $port -U postgres -v ON_ERROR_STOP=1 -qtA"
    if [ "$($psql -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != 1 ]; then
        $psql -c "CREATE ROLE $user LOGIN PASSWORD '$pw'"
    fi
    if [ "$($psql -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
        $psql -c "CREATE DATABASE $db OWNER $user"
    fi
    export COOPGOV_PG_BIN="$bin" COOPGOV_PG_DATA="$data"
    echo "PostgreSQL data folder: $data (stop: su postgres -s /bin/sh -c \"$bin/pg_ctl -D $data stop\")"
    export COOPGOV_TEST_PG_DSN="postgresql://$user:$pw@127.0.0.1:$port/$db"
    echo "PostgreSQL ready: $COOPGOV_TEST_PG_DSN"
}
_coopgov_pg_setup
unset -f _coopgov_pg_setup
