#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker (KRaft, combined broker and controller) from Kafka's own
# jars, fetched once from Maven Central with mvn. For tests and benchmarks on machines without a
# container engine. Listens on 127.0.0.1 only.
#
#   broker.sh start  [--port N] [--data DIR] [--owner-pid PID]
#   broker.sh stop   [--port N | --data DIR] [--keep-data]
#   broker.sh status [--port N | --data DIR]
#
# start prints KAFKA_BROKERS=127.0.0.1:PORT and KAFKA_DATA=DIR on stdout once the broker answers a
# metadata request. See infra/kafka/README.md for the details and the environment variables.
set -euo pipefail

readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
readonly POM="$SCRIPT_DIR/pom.xml"
readonly PROBE="$SCRIPT_DIR/probe-broker.mjs"
readonly REGISTRY="$ROOT/.data/kafka"
readonly DEFAULT_PORT=19092
# Written into every data directory this script formats; stop only ever deletes such a directory.
readonly MARKER=".fairwatch-kafka"

KAFKA_VERSION="${FW_KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")}"
readonly KAFKA_VERSION
readonly LIBS="$ROOT/.cache/kafka/$KAFKA_VERSION/libs"
readonly START_TIMEOUT_S="${FW_KAFKA_START_TIMEOUT:-120}"
readonly STOP_TIMEOUT_S="${FW_KAFKA_STOP_TIMEOUT:-30}"
readonly HEAP_OPTS="${FW_KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
readonly EXTRA_JVM_OPTS="${FW_KAFKA_JVM_OPTS:-}"
# Set by require_java: the exact JVM build, which a class data archive is only valid for.
JAVA_VM_VERSION=""

say() { echo "broker.sh: $*" >&2; }
die() {
  say "$*"
  exit 1
}

usage() {
  sed -n '6,8p' "$0" | sed 's/^# *//' >&2
  exit 64
}

java_bin() {
  if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

require_java() {
  local java settings spec
  java="$(java_bin)"
  command -v "$java" >/dev/null 2>&1 || die "java not found; install a JDK 17 or newer (or set JAVA_HOME)"
  settings="$("$java" -XshowSettings:properties -version 2>&1)"
  spec="$(echo "$settings" | sed -n 's/.*java.specification.version = //p')"
  JAVA_VM_VERSION="$(echo "$settings" | sed -n 's/.*java.vm.version = //p' | tr -c 'A-Za-z0-9.+\n-' '_')"
  case "$spec" in
    1.* | 9 | 1[0-6] | '') die "Kafka $KAFKA_VERSION needs Java 17 or newer; $java is Java ${spec:-unknown}" ;;
  esac
}

require_node() {
  command -v node >/dev/null 2>&1 ||
    die "node not found; run '. scripts/bootstrap.sh' first (it puts Node on PATH and installs kafkajs)"
  [ -d "$ROOT/node_modules/kafkajs" ] ||
    die "kafkajs is not installed; run '. scripts/bootstrap.sh' at $ROOT"
}

# Copies the broker's jars into .cache/kafka/<version>/libs once. Concurrent runs each fetch into
# their own directory and the first rename wins, so nobody sees a half-filled libs directory.
fetch_jars() {
  [ -f "$LIBS/.complete" ] && return 0
  # A libs directory without the completion mark was not made by this function: start over.
  rm -rf "$LIBS"
  command -v mvn >/dev/null 2>&1 || die "the Kafka $KAFKA_VERSION jars are not cached at $LIBS and mvn is not installed"
  local staging="$LIBS.partial.$$" output
  say "fetching the Kafka $KAFKA_VERSION jars with mvn into $LIBS (first run only)"
  rm -rf "$staging"
  if ! output="$(mvn -B -q -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -Dkafka.version="$KAFKA_VERSION" -DoutputDirectory="$staging" 2>&1)"; then
    rm -rf "$staging"
    echo "$output" | tail -n 30 >&2
    die "mvn could not fetch the Kafka $KAFKA_VERSION jars (output above)"
  fi
  ls "$staging"/kafka_2.13-*.jar >/dev/null 2>&1 || die "mvn ran but brought no kafka_2.13 jar into $staging"
  touch "$staging/.complete"
  mkdir -p "$(dirname "$LIBS")"
  mv -T "$staging" "$LIBS" 2>/dev/null || rm -rf "$staging"
}

# JVM options for a class data sharing archive of the broker's classes, which saves a few CPU
# seconds per start. There is none yet for this Kafka and JVM build, so this run records one when
# it exits; stop moves it into place after a clean shutdown (see finish_class_archive).
class_archive() { echo "$(dirname "$LIBS")/classes-$JAVA_VM_VERSION.jsa"; }

class_archive_opts() {
  local dir="$1" archive
  archive="$(class_archive)"
  rm -f "$dir/class-archive.pending"
  if [ -s "$archive" ]; then
    echo "-XX:SharedArchiveFile=$archive"
  else
    echo "$archive.partial.$$" >"$dir/class-archive.pending"
    echo "-XX:ArchiveClassesAtExit=$archive.partial.$$"
  fi
}

# Keeps the archive written by a broker that shut down cleanly; drops one from a killed broker.
finish_class_archive() {
  local dir="$1" clean="$2" partial
  [ -f "$dir/class-archive.pending" ] || return 0
  partial="$(cat "$dir/class-archive.pending")"
  rm -f "$dir/class-archive.pending"
  if [ "$clean" = 1 ] && [ -s "$partial" ]; then
    mv -f "$partial" "${partial%.partial.*}"
  else
    rm -f "$partial"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_port() {
  [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1024 ] && [ "$1" -le 65534 ]
}

# The broker's pid when the process recorded in DIR is alive and really is that directory's broker.
broker_pid() {
  local dir="$1" pid
  [ -f "$dir/broker.pid" ] || return 1
  pid="$(cat "$dir/broker.pid")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "kafka.Kafka $dir/server.properties" || return 1
  echo "$pid"
}

registry_entry() { echo "$REGISTRY/broker-$1"; }

# One value from the broker.env that start writes into a data directory.
env_value() { sed -n "s/^$2=//p" "$1/broker.env"; }

# Finds the data directory from --data, or from the registry entry of --port (default 19092).
resolve_dir() {
  local data="$1" port="$2" entry
  if [ -n "$data" ]; then
    [ -d "$data" ] || return 1
    (cd "$data" && pwd)
    return 0
  fi
  entry="$(registry_entry "${port:-$DEFAULT_PORT}")"
  [ -f "$entry" ] || return 1
  cat "$entry"
}

# Prints what this start wrote to the broker's logs: its ERROR lines first (a long stack trace can
# push them out of the tail), then the last lines. The logs are appended to across restarts.
print_log_tail() {
  local dir="$1" from_stdout="$2" from_server="$3"
  if [ "$(line_count "$dir/logs/stdout.log")" -gt "$from_stdout" ]; then
    echo "---- last lines of $dir/logs/stdout.log ----" >&2
    tail -n +"$((from_stdout + 1))" "$dir/logs/stdout.log" | tail -n 20 >&2
  fi
  if [ "$(line_count "$dir/logs/server.log")" -gt "$from_server" ]; then
    echo "---- errors in $dir/logs/server.log ----" >&2
    tail -n +"$((from_server + 1))" "$dir/logs/server.log" | grep -m 10 ' ERROR ' >&2 || true
    echo "---- last lines of $dir/logs/server.log ----" >&2
    tail -n +"$((from_server + 1))" "$dir/logs/server.log" | tail -n 30 >&2
  fi
}

line_count() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

write_server_properties() {
  local dir="$1" port="$2" controller_port="$3"
  cat >"$dir/server.properties" <<EOF
# Generated by infra/kafka/broker.sh: a single node that is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/kraft-logs
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
log.cleaner.threads=1
EOF
}

write_log_config() {
  cat >"$1/log4j2.properties" <<'EOF'
# Generated by infra/kafka/broker.sh: everything goes to logs/server.log in the data directory.
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

# Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. One that starts with
# '-' would read as an option on the storage tool's command line, so draw again.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [ "${id:0:1}" != "-" ] && echo "$id" && return
  done
}

# Picks the default port pair, or the next free pair above it, skipping ports that a kept data
# directory has claimed in the registry.
choose_ports() {
  local port=$DEFAULT_PORT attempt
  for attempt in $(seq 1 40); do
    if ! port_in_use "$port" && ! port_in_use $((port + 1)) &&
      [ ! -f "$(registry_entry "$port")" ]; then
      echo "$port"
      return 0
    fi
    port=$((port + 2))
  done
  die "no free port pair found between $DEFAULT_PORT and $port; pass --port N"
}

# Stops the broker when the owner process is gone, so a test runner that dies without its
# teardown does not leave a broker running. Detached from every stream of the caller.
start_watchdog() {
  local owner="$1" pid="$2" dir="$3"
  (
    while kill -0 "$owner" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 2; done
    if kill -0 "$pid" 2>/dev/null; then "$SCRIPT_DIR/broker.sh" stop --data "$dir" >>"$dir/logs/watchdog.log" 2>&1; fi
  ) </dev/null >/dev/null 2>&1 &
}

cmd_start() {
  local port="" data="" owner=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="${2:-}"; shift 2 || usage ;;
      --data) data="${2:-}"; shift 2 || usage ;;
      --owner-pid) owner="${2:-}"; shift 2 || usage ;;
      *) say "unknown option for start: $1"; usage ;;
    esac
  done
  [ -z "$port" ] || is_port "$port" || die "--port must be a number between 1024 and 65534, got '$port'"
  [ -z "$owner" ] || [[ "$owner" =~ ^[0-9]+$ ]] || die "--owner-pid must be a process id, got '$owner'"

  [ -z "$owner" ] || kill -0 "$owner" 2>/dev/null || die "--owner-pid $owner is not a running process"

  require_java
  require_node
  fetch_jars

  local dir controller_port cluster_id pid fresh=0
  if [ -n "$data" ] && [ -f "$data/$MARKER" ]; then
    dir="$(cd "$data" && pwd)"
    local recorded_port recorded_version
    recorded_port="$(env_value "$dir" BROKER_PORT)"
    recorded_version="$(env_value "$dir" KAFKA_VERSION)"
    [ -z "$port" ] || [ "$port" = "$recorded_port" ] ||
      die "$dir was formatted for port $recorded_port; start it without --port or with --port $recorded_port"
    [ "$recorded_version" = "$KAFKA_VERSION" ] ||
      die "$dir was formatted by Kafka $recorded_version; start it with FW_KAFKA_VERSION=$recorded_version"
    port="$recorded_port"
    controller_port="$(env_value "$dir" CONTROLLER_PORT)"
    # A restart keeps the first start's owner, as long as that owner still runs.
    if [ -z "$owner" ]; then
      owner="$(env_value "$dir" OWNER_PID)"
      [ -z "$owner" ] || kill -0 "$owner" 2>/dev/null || owner=""
    fi
    if pid="$(broker_pid "$dir")"; then die "a broker from $dir is already running (pid $pid) on port $port"; fi
  elif [ -n "$data" ] && [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
    die "$data is neither empty nor a data directory made by broker.sh (no $MARKER file)"
  else
    fresh=1
    [ -n "$port" ] || port="$(choose_ports)"
    controller_port=$((port + 1))
  fi
  port_in_use "$port" && die "port $port on 127.0.0.1 is already taken"
  port_in_use "$controller_port" && die "controller port $controller_port on 127.0.0.1 is already taken"
  if [ "$fresh" = 1 ] && [ -n "$data" ]; then
    mkdir -p "$data"
    dir="$(cd "$data" && pwd)"
  elif [ "$fresh" = 1 ]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/fairwatch-kafka.XXXXXX")"
  fi

  local java
  java="$(java_bin)"
  mkdir -p "$dir/logs"
  if [ "$fresh" = 1 ]; then
    touch "$dir/$MARKER"
    cluster_id="$(new_cluster_id)"
    write_server_properties "$dir" "$port" "$controller_port"
    write_log_config "$dir"
    # A short-lived tool: the first compiler tier is enough, and the broker's archive helps too.
    local tool_opts="-Xmx256m -XX:TieredStopAtLevel=1"
    [ ! -s "$(class_archive)" ] || tool_opts="$tool_opts -XX:SharedArchiveFile=$(class_archive)"
    # shellcheck disable=SC2086
    if ! "$java" $tool_opts -cp "$LIBS/*" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
      -Dkafka.logs.dir="$dir/logs" kafka.tools.StorageTool format --standalone \
      --cluster-id "$cluster_id" --config "$dir/server.properties" >"$dir/logs/format.log" 2>&1; then
      tail -n 30 "$dir/logs/format.log" >&2
      rm -rf "$dir"
      die "formatting the KRaft storage failed (output above)"
    fi
  fi
  cat >"$dir/broker.env" <<EOF
BROKER_PORT=$port
CONTROLLER_PORT=$controller_port
KAFKA_VERSION=$KAFKA_VERSION
OWNER_PID=$owner
EOF

  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$port (data $dir)"
  # A background job of a script ignores SIGINT, so Ctrl-C in the caller's terminal leaves the
  # broker alone; stop (or the owner watchdog) ends it.
  local class_opts stdout_lines server_lines
  class_opts="$(class_archive_opts "$dir")"
  stdout_lines="$(line_count "$dir/logs/stdout.log")"
  server_lines="$(line_count "$dir/logs/server.log")"
  # shellcheck disable=SC2086
  "$java" $HEAP_OPTS $class_opts $EXTRA_JVM_OPTS -XX:+UseSerialGC -XX:CICompilerCount=2 -XX:-UsePerfData \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    -Dkafka.logs.dir="$dir/logs" -cp "$LIBS/*" \
    kafka.Kafka "$dir/server.properties" </dev/null >>"$dir/logs/stdout.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/broker.pid"
  mkdir -p "$REGISTRY"
  echo "$dir" >"$(registry_entry "$port")"
  [ -z "$owner" ] || start_watchdog "$owner" "$pid" "$dir"

  if ! node --disable-warning=TimeoutNegativeWarning "$PROBE" --broker "127.0.0.1:$port" --pid "$pid" --timeout-ms $((START_TIMEOUT_S * 1000)); then
    print_log_tail "$dir" "$stdout_lines" "$server_lines"
    kill -9 "$pid" 2>/dev/null || true
    finish_class_archive "$dir" 0
    rm -f "$dir/broker.pid" "$(registry_entry "$port")"
    if [ "$fresh" = 1 ] && [ -z "$data" ]; then rm -rf "$dir"; fi
    die "the broker on 127.0.0.1:$port did not become ready (log above)"
  fi
  echo "KAFKA_BROKERS=127.0.0.1:$port"
  echo "KAFKA_DATA=$dir"
}

cmd_stop() {
  local port="" data="" keep=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="${2:-}"; shift 2 || usage ;;
      --data) data="${2:-}"; shift 2 || usage ;;
      --keep-data) keep=1; shift ;;
      *) say "unknown option for stop: $1"; usage ;;
    esac
  done
  local dir
  if ! dir="$(resolve_dir "$data" "$port")"; then
    say "no broker recorded for ${data:-port ${port:-$DEFAULT_PORT}}; nothing to stop"
    return 0
  fi
  local pid
  if pid="$(broker_pid "$dir")"; then
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((STOP_TIMEOUT_S * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    local clean=1
    if kill -0 "$pid" 2>/dev/null; then
      say "broker $pid did not stop within ${STOP_TIMEOUT_S}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      clean=0
    fi
    finish_class_archive "$dir" "$clean"
    say "stopped the broker (pid $pid)"
  fi
  rm -f "$dir/broker.pid"
  if [ -f "$dir/broker.env" ]; then
    local recorded
    recorded="$(env_value "$dir" BROKER_PORT)"
    if [ "$keep" = 0 ] && [ -n "$recorded" ] && [ "$(cat "$(registry_entry "$recorded")" 2>/dev/null)" = "$dir" ]; then
      rm -f "$(registry_entry "$recorded")"
    fi
  fi
  if [ "$keep" = 1 ]; then
    say "kept the data in $dir; start again with: broker.sh start --data $dir"
  elif [ -f "$dir/$MARKER" ]; then
    rm -rf "$dir"
    say "removed $dir"
  else
    say "left $dir in place: it was not made by broker.sh"
  fi
}

cmd_status() {
  local port="" data=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="${2:-}"; shift 2 || usage ;;
      --data) data="${2:-}"; shift 2 || usage ;;
      *) say "unknown option for status: $1"; usage ;;
    esac
  done
  local dir pid
  if dir="$(resolve_dir "$data" "$port")" && pid="$(broker_pid "$dir")"; then
    echo "running pid=$pid KAFKA_BROKERS=127.0.0.1:$(env_value "$dir" BROKER_PORT) KAFKA_DATA=$dir"
    return 0
  fi
  echo "not running (${data:-port ${port:-$DEFAULT_PORT}})"
  return 3
}

[ $# -ge 1 ] || usage
command="$1"
shift
case "$command" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  *) usage ;;
esac
