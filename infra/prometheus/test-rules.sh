#!/usr/bin/env bash
# Checks Fairwatch's monitoring configuration with the tools of Prometheus and Alertmanager:
#   promtool check config   infra/prometheus/prometheus.yml (and the rule files it loads)
#   promtool check rules    infra/prometheus/rules/*.yml
#   promtool test rules     infra/prometheus/tests/*.yml
#   runbooks                every alert has docs/runbooks/<alertname>.md and links to it
#   amtool check-config     infra/alertmanager/alertmanager.yml
#   routes                  infra/alertmanager/test-routes.sh
# Runs every step, prints each tool's output, and exits 1 if any step failed.
#
# promtool and amtool come from Debian's `prometheus` and `prometheus-alertmanager` packages. When
# either is missing the script installs both with apt-get if it runs as root, with a policy-rc.d
# in place so the packages' daemons are not started (and stops any that started anyway); not as
# root it exits 2 and says what to install.
set -euo pipefail

readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
readonly PACKAGES=(prometheus prometheus-alertmanager)
readonly DAEMONS=(prometheus prometheus-alertmanager)
readonly POLICY=/usr/sbin/policy-rc.d

have_tools() {
  command -v promtool >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1
}

stop_daemons() {
  local daemon
  for daemon in "${DAEMONS[@]}"; do
    if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
      systemctl stop "$daemon" >/dev/null 2>&1 || true
      systemctl disable "$daemon" >/dev/null 2>&1 || true
    elif [[ -x "/etc/init.d/$daemon" ]]; then
      "/etc/init.d/$daemon" stop >/dev/null 2>&1 || true
    fi
  done
}

install_tools() {
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "test-rules.sh: promtool and amtool are needed. Install them as root with:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
    echo "or put promtool and amtool from prometheus.io on PATH." >&2
    exit 2
  fi
  echo "installing ${PACKAGES[*]} for promtool and amtool"
  # Debian's maintainer scripts start the services after install; 101 in policy-rc.d forbids it.
  # A policy-rc.d that is already there belongs to the machine and is left as it is.
  local own_policy=0
  if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    own_policy=1
  fi
  local status=0
  {
    apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
  } || status=$?
  if [[ "$own_policy" -eq 1 ]]; then rm -f "$POLICY"; fi
  # The tools were missing, so any daemon of these packages now running was started by the install.
  stop_daemons
  if [[ "$status" -ne 0 ]]; then
    echo "test-rules.sh: apt-get failed (exit $status) installing ${PACKAGES[*]}" >&2
    exit 2
  fi
  if ! have_tools; then
    echo "test-rules.sh: ${PACKAGES[*]} installed, but promtool or amtool is still not on PATH" >&2
    exit 2
  fi
}

# Every alert links to docs/runbooks/<alertname>.md and that file exists.
check_runbooks() {
  local file alert url failed=0
  for file in "$SCRIPT_DIR"/rules/*.yml; do
    while read -r alert; do
      if [[ ! -f "$ROOT/docs/runbooks/$alert.md" ]]; then
        echo "$file: alert $alert has no docs/runbooks/$alert.md"
        failed=1
      fi
    done < <(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$file" | sort -u)
    # Each rule's runbook_url must name the runbook of the alert it belongs to.
    while read -r alert url; do
      if [[ "$url" != */docs/runbooks/"$alert".md ]]; then
        echo "$file: alert $alert has runbook_url $url, not .../docs/runbooks/$alert.md"
        failed=1
      fi
    done < <(awk '/^ *- alert:/ { alert = $3 } /^ *runbook_url:/ { print alert, $2 }' "$file")
  done
  if [[ "$failed" -eq 0 ]]; then echo "every alert has its runbook"; fi
  return "$failed"
}

have_tools || install_tools
cd "$ROOT"

failures=()
step() {
  local name="$1"
  shift
  echo "== $name"
  if ! "$@" 2>&1; then failures+=("$name"); fi
}

step 'promtool check config' promtool check config infra/prometheus/prometheus.yml
step 'promtool check rules' promtool check rules infra/prometheus/rules/*.yml
step 'promtool test rules' promtool test rules infra/prometheus/tests/*.yml
step 'runbooks' check_runbooks
step 'amtool check-config' amtool check-config infra/alertmanager/alertmanager.yml
step 'alertmanager routes' infra/alertmanager/test-routes.sh

if [[ "${#failures[@]}" -gt 0 ]]; then
  printf 'FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo 'all monitoring checks passed'
