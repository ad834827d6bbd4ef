#!/usr/bin/env bash
# scripts/db.sh — local PostgreSQL 15 + PostGIS for Social Tech Atlas.
#
# Usage: scripts/db.sh <command> [args]
#   ensure   install packages if missing, create/start the local cluster, create
#            role+database "atlas"; prints the DATABASE_URL on stdout (all
#            progress messages go to stderr, so URL=$(scripts/db.sh ensure) works)
#   stop     stop the local cluster (if running)
#   status   show where the cluster lives and whether it runs
#   url      print the DATABASE_URL
#   psql     open psql on the database (extra args are passed to psql)
#   destroy  stop the cluster and delete its files (used by `make clean-db`)
#
# Environment:
#   DATABASE_URL   if set (and not pointing at the local cluster's port), nothing
#                  is provisioned: `ensure` only checks it is reachable and prints it.
#   ATLAS_PGPORT   TCP port on 127.0.0.1 (default 54329)
#   ATLAS_PGDATA   data directory (default <repo>/var/pg/data, see below). Sockets
#                  go to <dirname ATLAS_PGDATA>/run, the log to <dirname>/postgres.log.
#   ATLAS_PG_BINDIR  PostgreSQL server binaries (default /usr/lib/postgresql/15/bin)
#
# Where the cluster lives: by default <repo>/var/pg/{data,run,postgres.log}. When run
# as root the server runs as the `postgres` system user (initdb refuses root), so that
# user must be able to traverse every parent directory of the repo. If it cannot (e.g.
# the repo is under /root, mode 0700) the cluster is placed in
# /var/tmp/atlas-pg-<first 12 hex of sha256(repo path)>/ instead; `status` shows which.
# We never change permissions of directories outside the repo.
#
# The cluster is a disposable dev/test cluster: trust auth, listening on 127.0.0.1
# only, fsync off (fast CREATE DATABASE for the tests). After a crash, `make clean-db`.
# A .env file in the repo root is read for variables not already set in the environment.
set -euo pipefail

log() { printf '[db] %s\n' "$*" >&2; }
die() { printf '[db] ERROR: %s\n' "$*" >&2; exit 1; }

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd -P)

# --- .env (only for variables not already set) --------------------------------------
load_dotenv() {
  local file="$REPO/.env" line key val
  [[ -f $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    line="${line#"${line%%[![:space:]]*}"}"          # ltrim
    [[ -z $line || $line == \#* ]] && continue
    line="${line#export }"
    [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
    [[ -n ${!key+x} ]] && continue                   # environment wins
    val="${val%"${val##*[![:space:]]}"}"             # rtrim
    if [[ $val =~ ^\"(.*)\"$ || $val =~ ^\'(.*)\'$ ]]; then val=${BASH_REMATCH[1]}; fi
    export "$key=$val"
  done <"$file"
}
load_dotenv

DB_NAME=atlas
DB_ROLE=atlas
PORT=${ATLAS_PGPORT:-54329}
[[ $PORT =~ ^[0-9]+$ ]] || die "ATLAS_PGPORT must be a number, got '$PORT'"
LOCAL_URL="postgres://${DB_ROLE}@127.0.0.1:${PORT}/${DB_NAME}"
PG_MAJOR=15
PACKAGES=("postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR" "postgresql-$PG_MAJOR-postgis-3" "postgresql-$PG_MAJOR-postgis-3-scripts")

IS_ROOT=0
[[ $(id -u) -eq 0 ]] && IS_ROOT=1

# --- helpers -------------------------------------------------------------------------
external_url() {
  # Prints DATABASE_URL when it is set and is not just our own local cluster URL.
  [[ -n ${DATABASE_URL:-} ]] || return 1
  local u=${DATABASE_URL%%\?*}
  if [[ $u =~ ^postgres(ql)?://([^@/]*@)?(127\.0\.0\.1|localhost):${PORT}(/.*)?$ ]]; then
    return 1
  fi
  printf '%s\n' "$DATABASE_URL"
}

pkgs_missing() { # prints the packages (one a line) that are not installed
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
  done
}

apt_install() {
  local sudo=()
  if ((IS_ROOT == 0)); then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $*"
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found; install PostgreSQL $PG_MAJOR + PostGIS 3 yourself (or set DATABASE_URL / ATLAS_PG_BINDIR): $*"
  log "installing: $* (apt-get update + install, once)"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 ||
    die "apt-get update failed"
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >&2 ||
    die "apt-get install failed: $*"
}

ensure_packages() {
  local -a missing
  if ! command -v dpkg-query >/dev/null 2>&1; then
    return 0 # not Debian: assume PostgreSQL + PostGIS are installed (see ATLAS_PG_BINDIR)
  fi
  mapfile -t missing < <(pkgs_missing "$@")
  if ((${#missing[@]} > 0)); then
    apt_install "${missing[@]}"
  fi
}

find_bindir() {
  if [[ -n ${ATLAS_PG_BINDIR:-} ]]; then
    BINDIR=$ATLAS_PG_BINDIR
  elif [[ -x /usr/lib/postgresql/$PG_MAJOR/bin/pg_ctl ]]; then
    BINDIR=/usr/lib/postgresql/$PG_MAJOR/bin
  elif command -v pg_ctl >/dev/null 2>&1; then
    BINDIR=$(dirname -- "$(command -v pg_ctl)")
  else
    BINDIR=/usr/lib/postgresql/$PG_MAJOR/bin
  fi
}

PSQL() { if [[ -x ${BINDIR:-}/psql ]]; then "$BINDIR/psql" "$@"; else psql "$@"; fi; }
PG_ISREADY() { if [[ -x ${BINDIR:-}/pg_isready ]]; then "$BINDIR/pg_isready" "$@"; else pg_isready "$@"; fi; }

# Run a command as the cluster owner (postgres when we are root, else ourselves).
as_owner() {
  # cd / first: the caller's cwd may not be readable by postgres (e.g. under /root).
  if ((IS_ROOT)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

owner_can_traverse() { # dir
  ((IS_ROOT)) || return 0
  (cd / && runuser -u postgres -- test -x "$1" -a -r "$1") 2>/dev/null
}

repo_hash() {
  if command -v sha256sum >/dev/null 2>&1; then
    printf '%s' "$REPO" | sha256sum | cut -c1-12
  else
    printf '%s' "$REPO" | cksum | cut -d' ' -f1
  fi
}

# Decide BASE (holds data/, run/, postgres.log). mode=create may create directories.
resolve_paths() {
  local mode=${1:-lookup}
  local fallback
  fallback="/var/tmp/atlas-pg-$(repo_hash)"
  MANAGED=1
  if [[ -n ${ATLAS_PGDATA:-} ]]; then
    PGDATA_DIR=$ATLAS_PGDATA
    [[ $PGDATA_DIR == /* ]] || PGDATA_DIR="$REPO/$PGDATA_DIR"
    BASE=$(dirname -- "$PGDATA_DIR")
    MANAGED=0
  elif [[ -f $REPO/var/pg/data/PG_VERSION ]]; then
    BASE=$REPO/var/pg
  elif [[ -f $fallback/data/PG_VERSION ]]; then
    BASE=$fallback
  else
    BASE=$REPO/var/pg
    if [[ $mode == create ]] && ((IS_ROOT)); then
      mkdir -p "$REPO/var"
      if ! owner_can_traverse "$REPO/var"; then
        log "user postgres cannot reach $REPO (a parent directory is not traversable);"
        log "using $fallback for the cluster instead"
        BASE=$fallback
      fi
    fi
  fi
  PGDATA_DIR=${PGDATA_DIR:-$BASE/data}
  RUN_DIR=$BASE/run
  LOGFILE=$BASE/postgres.log
}

# Echo the postmaster PID if our cluster is really running; clean stale pid/lock files.
running_pid() {
  local pidfile=$PGDATA_DIR/postmaster.pid pid
  [[ -f $pidfile ]] || return 1
  pid=$(head -n1 "$pidfile" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    if [[ -d /proc/$pid ]]; then
      # Guard against PID reuse after a reboot: must be a postgres for this data dir.
      if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres* ]] &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$PGDATA_DIR"; then
        echo "$pid"
        return 0
      fi
    else
      echo "$pid"
      return 0
    fi
  fi
  return 1
}

clean_stale() {
  local pidfile=$PGDATA_DIR/postmaster.pid
  if [[ -f $pidfile ]]; then
    log "removing stale postmaster.pid (pid $(head -n1 "$pidfile" 2>/dev/null) is not our server; machine restarted or server killed)"
    rm -f -- "$pidfile"
  fi
  rm -f -- "$RUN_DIR"/.s.PGSQL.* 2>/dev/null || true
}

running_port() { sed -n 4p "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true; }

write_conf() {
  # Managed settings live in atlas.conf, included from postgresql.conf.
  local conf=$PGDATA_DIR/atlas.conf tmp
  tmp=$(mktemp)
  cat >"$tmp" <<EOF
# Managed by scripts/db.sh — rewritten on every 'ensure'. Disposable dev/test cluster.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN_DIR'
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
timezone = 'UTC'
EOF
  if [[ -f $conf ]] && cmp -s "$tmp" "$conf"; then
    rm -f -- "$tmp"
    return 1 # unchanged
  fi
  install -m 0644 "$tmp" "$conf"
  rm -f -- "$tmp"
  ((IS_ROOT)) && chown postgres:postgres "$conf"
  grep -q "^include_if_exists = 'atlas.conf'" "$PGDATA_DIR/postgresql.conf" ||
    printf "\ninclude_if_exists = 'atlas.conf'\n" >>"$PGDATA_DIR/postgresql.conf"
  return 0 # changed
}

init_cluster() {
  local locale_args=(--locale=C.UTF-8 --encoding=UTF8)
  if command -v locale >/dev/null 2>&1 && ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    log "locale C.UTF-8 not available; using locale C with UTF8 encoding"
    locale_args=(--locale=C --encoding=UTF8)
  fi
  if [[ -d $PGDATA_DIR ]] && [[ -n $(ls -A "$PGDATA_DIR" 2>/dev/null) ]]; then
    if ((MANAGED)); then
      log "removing incomplete data directory $PGDATA_DIR (no PG_VERSION)"
      rm -rf -- "$PGDATA_DIR"
    else
      die "$PGDATA_DIR is not empty but holds no cluster (no PG_VERSION); empty it or pick another ATLAS_PGDATA"
    fi
  fi
  mkdir -p "$PGDATA_DIR"
  ((IS_ROOT)) && chown postgres:postgres "$PGDATA_DIR"
  chmod 0700 "$PGDATA_DIR"
  log "initdb in $PGDATA_DIR (trust auth, UTF8, ${locale_args[0]#--locale=})"
  as_owner "$BINDIR/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust --no-sync "${locale_args[@]}" >"$BASE/initdb.log" 2>&1 || {
    cat "$BASE/initdb.log" >&2
    die "initdb failed"
  }
}

port_free_or_die() {
  if PG_ISREADY -q -h 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1; then
    local other
    other=$(PSQL -X -qAt -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c 'show data_directory' 2>/dev/null || echo '?')
    die "port $PORT is already used by another PostgreSQL (data directory: $other). Stop it, or set ATLAS_PGPORT to a free port."
  fi
}

start_cluster() {
  log "starting PostgreSQL on 127.0.0.1:$PORT (log: $LOGFILE)"
  port_free_or_die
  if ! as_owner "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$LOGFILE" -w -t 90 start >/dev/null 2>&1; then
    log "pg_ctl start failed; last lines of $LOGFILE:"
    tail -n 30 "$LOGFILE" >&2 || true
    die "could not start PostgreSQL"
  fi
}

stop_cluster() {
  if running_pid >/dev/null; then
    log "stopping PostgreSQL ($PGDATA_DIR)"
    as_owner "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
  fi
}

ensure_role_db() {
  PSQL -X -q -v ON_ERROR_STOP=1 -h "$RUN_DIR" -p "$PORT" -U postgres -d postgres 2>&1 >/dev/null <<SQL | sed 's/^NOTICE: */[db] /' >&2
DO \$\$BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE') THEN
    CREATE ROLE $DB_ROLE SUPERUSER LOGIN;
    RAISE NOTICE 'created role $DB_ROLE';
  ELSIF NOT (SELECT rolsuper AND rolcanlogin FROM pg_roles WHERE rolname = '$DB_ROLE') THEN
    ALTER ROLE $DB_ROLE SUPERUSER LOGIN;
  END IF;
END\$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_ROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
}

check_reachable() { # url
  local url=$1
  PSQL -X -qAt -d "$url" -c 'select 1' >/dev/null 2>&1
}

# --- commands ------------------------------------------------------------------------
cmd_ensure() {
  local ext
  if ext=$(external_url); then
    ensure_packages "postgresql-client-$PG_MAJOR"
    find_bindir
    log "DATABASE_URL is set externally; not provisioning, only checking it is reachable"
    if ! check_reachable "$ext"; then
      PSQL -X -qAt -d "$ext" -c 'select 1' 2>&1 >/dev/null | sed 's/^/[db]   /' >&2 || true
      die "cannot connect to DATABASE_URL ($ext)"
    fi
    log "reachable"
    printf '%s\n' "$ext"
    return 0
  fi

  ensure_packages "${PACKAGES[@]}"
  find_bindir
  [[ -x $BINDIR/pg_ctl && -x $BINDIR/initdb ]] || die "PostgreSQL server binaries not found in $BINDIR (set ATLAS_PG_BINDIR)"
  if ((IS_ROOT)); then
    id postgres >/dev/null 2>&1 || die "system user 'postgres' does not exist (install postgresql-$PG_MAJOR)"
    command -v runuser >/dev/null 2>&1 || die "runuser not found (util-linux)"
  fi

  resolve_paths create
  mkdir -p "$BASE" "$RUN_DIR"
  if ((IS_ROOT)); then
    chown postgres:postgres "$BASE" "$RUN_DIR"
    owner_can_traverse "$BASE" || die "user postgres cannot access $BASE; set ATLAS_PGDATA to a directory it can reach"
  fi
  chmod 0755 "$RUN_DIR"

  if [[ -f $PGDATA_DIR/PG_VERSION ]]; then
    local v
    v=$(cat "$PGDATA_DIR/PG_VERSION")
    [[ $v == "$PG_MAJOR" ]] || [[ -n ${ATLAS_PG_BINDIR:-} ]] ||
      die "cluster in $PGDATA_DIR is PostgreSQL $v, binaries are $PG_MAJOR; run 'make clean-db' to recreate it"
    if ((IS_ROOT)) && [[ $(stat -c %U "$PGDATA_DIR") != postgres ]]; then
      log "fixing ownership of $BASE (must belong to postgres)"
      chown -R postgres:postgres "$BASE"
    fi
  else
    init_cluster
  fi

  local changed=0
  write_conf && changed=1

  if running_pid >/dev/null; then
    if [[ $(running_port) != "$PORT" ]] || ((changed)); then
      [[ $(running_port) == "$PORT" ]] || port_free_or_die
      log "configuration changed (port $(running_port) -> $PORT); restarting"
      stop_cluster
      clean_stale
      start_cluster
    else
      log "PostgreSQL already running on 127.0.0.1:$PORT ($PGDATA_DIR)"
    fi
  else
    clean_stale
    start_cluster
  fi

  ensure_role_db || die "could not create role/database '$DB_NAME'"
  check_reachable "$LOCAL_URL" || die "cluster started but $LOCAL_URL is not reachable"
  log "ready: $LOCAL_URL"
  printf '%s\n' "$LOCAL_URL"
}

cmd_stop() {
  find_bindir
  resolve_paths lookup
  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
    log "no local cluster (looked in $PGDATA_DIR)"
    return 0
  fi
  if running_pid >/dev/null; then
    stop_cluster
    log "stopped"
  else
    [[ -f $PGDATA_DIR/postmaster.pid ]] && clean_stale
    log "not running"
  fi
}

cmd_status() {
  local ext rc=0
  find_bindir
  resolve_paths lookup
  if ext=$(external_url); then
    if check_reachable "$ext"; then log "external DATABASE_URL reachable: $ext"; else
      log "external DATABASE_URL NOT reachable: $ext"
      rc=1
    fi
  fi
  log "data dir: $PGDATA_DIR"
  log "sockets:  $RUN_DIR"
  log "log file: $LOGFILE"
  if [[ ! -f $PGDATA_DIR/PG_VERSION ]]; then
    log "local cluster: not created (run: scripts/db.sh ensure)"
    [[ -n ${ext:-} ]] || rc=3
  elif pid=$(running_pid); then
    log "local cluster: running (pid $pid, port $(running_port)) — $LOCAL_URL"
  else
    log "local cluster: stopped"
    [[ -n ${ext:-} ]] || rc=3
  fi
  return $rc
}

cmd_url() {
  local ext
  if ext=$(external_url); then printf '%s\n' "$ext"; else printf '%s\n' "$LOCAL_URL"; fi
}

cmd_psql() {
  find_bindir
  local url
  url=$(cmd_url)
  if [[ -x $BINDIR/psql ]]; then exec "$BINDIR/psql" "$url" "$@"; else exec psql "$url" "$@"; fi
}

cmd_destroy() {
  find_bindir
  resolve_paths lookup
  if [[ -f $PGDATA_DIR/PG_VERSION ]] && running_pid >/dev/null; then stop_cluster; fi
  if ((MANAGED)); then
    log "removing $BASE"
    rm -rf -- "$BASE"
  else
    log "removing $PGDATA_DIR and $RUN_DIR (ATLAS_PGDATA is set)"
    rm -rf -- "$PGDATA_DIR" "$RUN_DIR" "$LOGFILE" "$BASE/initdb.log"
  fi
}

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

case ${1:-} in
  ensure) shift; cmd_ensure "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  url) shift; cmd_url "$@" ;;
  psql) shift; cmd_psql "$@" ;;
  destroy) shift; cmd_destroy "$@" ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac
