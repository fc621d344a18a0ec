#!/usr/bin/env bash
# Makes this checkout runnable: Node.js 22 or newer (Node 24 from the npm registry when the
# machine's is older), pnpm, and the workspace's dependencies. Safe to run again; quick when
# nothing changed. Source it (". scripts/bootstrap.sh") so PATH reaches the caller; it returns
# non-zero when a step fails and leaves the caller's shell options as they were.
# Saved from $- and `shopt -o`, not from `$(set +o)`: a command substitution runs in a subshell
# that does not inherit errexit, so its listing would switch errexit off in the caller.
fw_saved_flags=$-
fw_saved_pipefail=off
if shopt -qo pipefail; then fw_saved_pipefail=on; fi
set -euo pipefail

FW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FW_TOOLS="$FW_ROOT/.tools"
NODE_WANTED_MAJOR=24
PNPM_VERSION=10.34.8

node_package() {
  local os arch
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
  esac
  echo "node-$os-$arch"
}
NODE_PACKAGE=$(node_package)

node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

ensure_node() {
  if [ -x "$FW_TOOLS/node/node_modules/$NODE_PACKAGE/bin/node" ]; then
    export PATH="$FW_TOOLS/node/node_modules/$NODE_PACKAGE/bin:$PATH"
  fi
  if [ "$(node_major)" -ge 22 ]; then
    return
  fi
  echo "bootstrap: Node.js $(node --version 2>/dev/null || echo none) is older than 22;" \
    "installing Node $NODE_WANTED_MAJOR from the npm registry into .tools/node" >&2
  mkdir -p "$FW_TOOLS/node"
  npm install --silent --no-audit --no-fund --prefix "$FW_TOOLS/node" \
    "$NODE_PACKAGE@$NODE_WANTED_MAJOR" >&2 || return 1
  export PATH="$FW_TOOLS/node/node_modules/$NODE_PACKAGE/bin:$PATH"
  [ "$(node_major)" -ge 22 ] || { echo "bootstrap: Node.js 22+ could not be installed" >&2; return 1; }
  echo "bootstrap: using Node.js $(node --version)" >&2
}

ensure_pnpm() {
  export PATH="$FW_TOOLS/pnpm/node_modules/.bin:$PATH"
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    return
  fi
  echo "bootstrap: installing pnpm $PNPM_VERSION into .tools/pnpm" >&2
  mkdir -p "$FW_TOOLS/pnpm"
  npm install --silent --no-audit --no-fund --prefix "$FW_TOOLS/pnpm" "pnpm@$PNPM_VERSION" >&2 ||
    return 1
}

ensure_dependencies() {
  local stamp="$FW_ROOT/node_modules/.fairwatch-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$FW_ROOT/pnpm-lock.yaml"; then
    return
  fi
  (cd "$FW_ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2) || return 1
  cp "$FW_ROOT/pnpm-lock.yaml" "$stamp"
}

fw_bootstrap() {
  ensure_node && ensure_pnpm && ensure_dependencies
}

fw_status=0
fw_bootstrap || fw_status=$?
case "$fw_saved_flags" in *e*) set -e ;; *) set +e ;; esac
case "$fw_saved_flags" in *u*) set -u ;; *) set +u ;; esac
if [ "$fw_saved_pipefail" = on ]; then set -o pipefail; else set +o pipefail; fi
unset fw_saved_flags fw_saved_pipefail
export FW_ROOT
if [ "$fw_status" -ne 0 ]; then
  echo "bootstrap: failed (exit $fw_status); see the messages above" >&2
  return "$fw_status" 2>/dev/null || exit "$fw_status"
fi
