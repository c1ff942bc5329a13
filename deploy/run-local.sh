#!/usr/bin/env bash
# Runs the agentfeed local stack: a Kafka broker, an S3 endpoint and the four services.
#
#   deploy/run-local.sh [--build] [options]       e.g. --demo, --help (all options: deploy/README.md)
#   deploy/run-local.sh token --scope ingest      prints a dev token and nothing else on stdout
#
# Needs only a JDK 17 or newer: the Maven wrapper fetches Maven. The jars are built on first use,
# and again with --build (after changing the code). Ctrl-C stops the stack; its data stays in ./data.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_dir"

say() { echo "run-local.sh: $*" >&2; }

build=false
args=()
for arg in "$@"; do
  if [[ "$arg" == "--build" ]]; then
    build=true
  else
    args+=("$arg")
  fi
done

java_cmd="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java_cmd="$JAVA_HOME/bin/java"
fi
if ! command -v "$java_cmd" >/dev/null 2>&1; then
  say "no java found: install a JDK 17 or newer, or set JAVA_HOME"
  exit 1
fi
java_version="$("$java_cmd" -XshowSettings:properties -version 2>&1 \
  | awk -F'= ' '/java.specification.version/ {print $2}')"
if [[ -z "$java_version" || "${java_version%%.*}" -lt 17 ]]; then
  say "$java_cmd is Java ${java_version:-of an unknown version}; agentfeed needs 17 or newer"
  exit 1
fi

# The token command needs only the launcher; the stack needs the services too.
modules=(deploy)
if [[ "${args[0]:-}" != "token" ]]; then
  modules+=(ingest-service stream-processor gateway-service archiver)
fi

newest_jar() {
  local module="$1"
  ls -t "$module"/target/"$module"-*-exec.jar 2>/dev/null | head -n 1 || true
}

for module in "${modules[@]}"; do
  if [[ -z "$(newest_jar "$module")" ]]; then
    build=true
  fi
done

if [[ "$build" == true ]]; then
  module_list="$(IFS=,; echo "${modules[*]}")"
  say "building ${modules[*]} (the first build downloads Maven and the dependencies: a few minutes)"
  # Everything goes to stderr, so that `TOKEN=$(deploy/run-local.sh token ...)` stays clean.
  ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -Dcheckstyle.skip=true \
    package -pl "$module_list" -am 1>&2
fi

launcher="$(newest_jar deploy)"
if [[ -z "$launcher" ]]; then
  say "no deploy/target/deploy-*-exec.jar after the build"
  exit 1
fi
exec "$java_cmd" ${AGENTFEED_LAUNCHER_JAVA_OPTS:-} -jar "$launcher" ${args[@]+"${args[@]}"}
