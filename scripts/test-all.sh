#!/usr/bin/env bash
# Full layerlens test run with REAL services (run as root):
#
#   bash scripts/test-all.sh        (as root)
#
# 1. installs missing tools with apt (docker.io docker-registry skopeo
#    busybox-static apache2-utils openssl zstd tmux debootstrap podman golang-go), `npm ci` when
#    node_modules is missing, `npm run build`, `npm run typecheck` (src, test, bench, scripts),
#    `npm run lint` (formatter, linter, layering rule);
# 2. starts a throwaway dockerd (vfs, no iptables/bridge), a plain-HTTP distribution
#    registry on 127.0.0.1:<free port> and a Podman API service (vfs, private storage.conf),
#    all under /tmp/layerlens-it.XXXXXX;
# 3. exports LAYERLENS_IT_DOCKER_HOST / LAYERLENS_IT_REGISTRY / LAYERLENS_IT_WORKDIR /
#    LAYERLENS_IT_PODMAN_HOST;
# 4. runs `npm test` (unit + integration) and exits with its status;
# 5. always stops what it started and removes the temp dir.
#
# Knobs: LAYERLENS_IT_KEEP=1 keeps the temp dir (services are stopped anyway);
#        LAYERLENS_SKIP_APT=1 / LAYERLENS_SKIP_BUILD=1 skip those steps;
#        extra arguments are passed to `npm test --` (e.g. a test file pattern).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/services.sh
source "$ROOT/scripts/services.sh"

log() { printf '[test-all] %s\n' "$*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (it installs packages and starts a private dockerd): bash scripts/test-all.sh as root"
  exit 2
fi

export DEBIAN_FRONTEND=noninteractive
export CI=${CI:-}

# --- 1. dependencies ---------------------------------------------------------
PACKAGES=(docker.io docker-registry skopeo busybox-static apache2-utils openssl zstd tmux debootstrap podman golang-go)
if [[ "${LAYERLENS_SKIP_APT:-}" != 1 ]]; then
  missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
  done
  if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
    # Keep package scripts from starting the system docker/containerd services:
    # the tests use their own daemon. (Standard Debian policy-rc.d mechanism.)
    policy_rc=
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_rc=1
    fi
    apt_rc=0
    { apt-get "${apt_opts[@]}" update -qq &&
      apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${missing[@]}"; } </dev/null || apt_rc=$?
    [[ -n "$policy_rc" ]] && rm -f /usr/sbin/policy-rc.d
    if ((apt_rc)); then log "apt-get failed ($apt_rc)"; exit "$apt_rc"; fi
  else
    log "apt packages present"
  fi
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "node (>= 20) and npm are required"
  exit 2
fi
if [[ ! -d node_modules ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund </dev/null
fi
if [[ "${LAYERLENS_SKIP_BUILD:-}" != 1 ]]; then
  log "npm run build"
  npm run build </dev/null
fi
# The tests run through tsx, which strips types without checking them: the whole tree (src, test,
# bench, scripts) is type-checked here.
log "npm run typecheck"
npm run typecheck </dev/null
# The formatter and linter (biome.json) and the layering rule (scripts/check-layers.mjs).
log "npm run lint"
npm run lint </dev/null

# --- 2./3. services -----------------------------------------------------------
WORKDIR=$(mktemp -d /tmp/layerlens-it.XXXXXX)
chmod 755 "$WORKDIR"
TEST_PID=
stop_tests() {
  if [[ -n "$TEST_PID" ]] && kill -0 "$TEST_PID" 2>/dev/null; then
    log "stopping test run (process group $TEST_PID)"
    kill -TERM -- "-$TEST_PID" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$TEST_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$TEST_PID" 2>/dev/null || true
  fi
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_tests
  log "stopping services"
  it_stop "$WORKDIR" || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

it_start "$WORKDIR"
export LAYERLENS_IT_DOCKER_HOST=$IT_DOCKER_HOST
export LAYERLENS_IT_REGISTRY=$IT_REGISTRY
export LAYERLENS_IT_WORKDIR=$WORKDIR
export LAYERLENS_IT_PODMAN_HOST=$IT_PODMAN_HOST
# Code under test that finds the daemon through DOCKER_HOST talks to the test daemon.
export DOCKER_HOST=$IT_DOCKER_HOST
log "LAYERLENS_IT_DOCKER_HOST=$LAYERLENS_IT_DOCKER_HOST LAYERLENS_IT_REGISTRY=$LAYERLENS_IT_REGISTRY LAYERLENS_IT_PODMAN_HOST=${LAYERLENS_IT_PODMAN_HOST:-none}"

# --- 4. tests -------------------------------------------------------------------
# `npm test` (scripts/run-tests.mjs: every test/**/*.test.ts(x) under node's test
# runner). It runs in its own session (setsid) in the background so that a signal
# to this script is handled at once: the trap kills the test process group, then
# the EXIT trap stops the services.
setsid npm test -- "$@" </dev/null &
TEST_PID=$!
set +e
wait "$TEST_PID"
status=$?
set -e
TEST_PID=
log "tests exited with $status"
exit "$status"
