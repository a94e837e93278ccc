#!/usr/bin/env bash
# Throwaway services for layerlens integration tests: a private dockerd (vfs, no
# networking, no iptables), a plain-HTTP distribution registry on 127.0.0.1 and, when podman is
# installed, a Podman API service on a private socket (vfs storage, private storage.conf).
# Everything lives in one temp dir; nothing touches the system daemon.
#
#   bash scripts/services.sh start [DIR]   # prints `export LAYERLENS_IT_...=...` lines
#   bash scripts/services.sh stop DIR      # stops what start started, unmounts, removes DIR
#
# Interactive use (as root):
#   eval "$(bash scripts/services.sh start)"
#   node --import tsx --test test/integration/harness.test.ts
#   bash scripts/services.sh stop "$LAYERLENS_IT_WORKDIR"
#
# scripts/test-all.sh sources this file and uses it_start / it_stop directly.
set -euo pipefail

IT_DOCKERD_BIN=${IT_DOCKERD_BIN:-dockerd}
IT_REGISTRY_BIN=${IT_REGISTRY_BIN:-/usr/bin/docker-registry}
IT_PODMAN_BIN=${IT_PODMAN_BIN:-podman}

it_log() { printf '[services] %s\n' "$*" >&2; }

# The docker CLI to drive the test daemon with. Debian's /usr/bin/docker matches
# the Debian daemon; any other `docker` on PATH may be much newer (API negotiation
# copes, but its `docker build` wants buildx).
it_docker_cli() {
  if [[ -n "${LAYERLENS_IT_DOCKER_CLI:-}" ]]; then echo "$LAYERLENS_IT_DOCKER_CLI"
  elif [[ -x /usr/bin/docker ]]; then echo /usr/bin/docker
  else command -v docker; fi
}

it_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# it_start DIR: start dockerd + registry under DIR; sets IT_DOCKER_HOST, IT_REGISTRY.
it_start() {
  local dir=$1
  mkdir -p "$dir"/{data,exec,registry,fixtures}
  local sock="$dir/docker.sock"
  local cli; cli=$(it_docker_cli)

  # --- dockerd ---------------------------------------------------------------
  # Own config file so /etc/docker/daemon.json cannot change the setup.
  echo '{}' >"$dir/daemon.json"
  it_log "starting dockerd (data-root $dir/data)"
  # setsid: own process group, so a Ctrl-C in the terminal reaches only us and
  # the cleanup trap decides how the daemon stops.
  setsid "$IT_DOCKERD_BIN" \
    --config-file "$dir/daemon.json" \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    -H "unix://$sock" \
    --storage-driver=vfs \
    --iptables=false --ip6tables=false --ip-masq=false \
    --bridge=none \
    --pidfile "$dir/dockerd.pid" \
    </dev/null >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/dockerd.launcher.pid"

  local i
  for ((i = 0; i < 120; i++)); do
    if "$cli" -H "unix://$sock" info >/dev/null 2>&1; then break; fi
    if ! kill -0 "$(cat "$dir/dockerd.launcher.pid")" 2>/dev/null; then
      it_log "dockerd exited early; last log lines:"; tail -n 30 "$dir/dockerd.log" >&2
      return 1
    fi
    sleep 0.5
  done
  if ! "$cli" -H "unix://$sock" info >/dev/null 2>&1; then
    it_log "dockerd did not answer within 60s; last log lines:"; tail -n 30 "$dir/dockerd.log" >&2
    return 1
  fi
  it_log "dockerd ready: $("$cli" -H "unix://$sock" version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo '?')"

  # --- registry --------------------------------------------------------------
  local port; port=$(it_free_port)
  cat >"$dir/registry.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: $(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
EOF
  it_log "starting registry on 127.0.0.1:$port"
  setsid "$IT_REGISTRY_BIN" serve "$dir/registry.yml" </dev/null >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/registry.pid"
  for ((i = 0; i < 60; i++)); do
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))' \
      "http://127.0.0.1:$port/v2/" 2>/dev/null; then break; fi
    if ! kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null; then
      it_log "registry exited early:"; tail -n 30 "$dir/registry.log" >&2
      return 1
    fi
    sleep 0.25
  done
  IT_DOCKER_HOST="unix://$sock"
  IT_REGISTRY="127.0.0.1:$port"
  it_log "registry ready"

  it_start_podman "$dir"
}

# The podman client talking to this run's service (remote mode: it takes no storage flags).
it_podman() {
  local dir=$1
  shift
  "$IT_PODMAN_BIN" --url "unix://$dir/podman.sock" "$@"
}

# it_start_podman DIR: `podman system service` on DIR/podman.sock; sets IT_PODMAN_HOST (empty
# when podman is not installed: the Podman source tests then skip and say why).
it_start_podman() {
  local dir=$1 i
  IT_PODMAN_HOST=
  if ! command -v "$IT_PODMAN_BIN" >/dev/null; then
    it_log "podman not installed: the Podman source tests will be skipped"
    return 0
  fi
  mkdir -p "$dir/podman/tmp"
  printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
    "$dir/podman/run" "$dir/podman/graph" >"$dir/podman/storage.conf"
  # No systemd or journald here: cgroupfs, events to a file, temporary files in DIR.
  printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "%s"\ntmp_dir = "%s"\n' \
    "$dir/podman/events.log" "$dir/podman/tmp" >"$dir/podman/containers.conf"
  it_log "starting podman system service on $dir/podman.sock"
  CONTAINERS_STORAGE_CONF="$dir/podman/storage.conf" CONTAINERS_CONF="$dir/podman/containers.conf" \
    setsid "$IT_PODMAN_BIN" --root "$dir/podman/graph" --runroot "$dir/podman/run" \
    system service --time=0 "unix://$dir/podman.sock" </dev/null >"$dir/podman.log" 2>&1 &
  echo $! >"$dir/podman.pid"
  for ((i = 0; i < 60; i++)); do
    if [[ -S "$dir/podman.sock" ]] && it_podman "$dir" version >/dev/null 2>&1; then
      IT_PODMAN_HOST="unix://$dir/podman.sock"
      it_log "podman ready: $(it_podman "$dir" version --format 'server {{.Server.Version}}' 2>/dev/null || echo '?')"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/podman.pid")" 2>/dev/null; then
      it_log "podman system service exited early:"
      tail -n 30 "$dir/podman.log" >&2
      return 1
    fi
    sleep 0.25
  done
  it_log "podman did not answer within 15s:"
  tail -n 30 "$dir/podman.log" >&2
  return 1
}

# Kill one process we started (by pid), politely first.
it_kill_pid() {
  local pid=$1 name=$2 wait_s=${3:-20} i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || { it_log "$name ($pid) stopped"; return 0; }
    sleep 0.25
  done
  it_log "$name ($pid) did not stop; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
}

# it_stop DIR: stop podman, the registry and dockerd (+ its containerd), unmount, remove DIR.
it_stop() {
  local dir=$1
  [[ -n "$dir" && -d "$dir" ]] || return 0
  local pid
  pid=$(cat "$dir/podman.pid" 2>/dev/null || true)
  it_kill_pid "$pid" podman 10
  pid=$(cat "$dir/registry.pid" 2>/dev/null || true)
  it_kill_pid "$pid" registry 10
  pid=$(cat "$dir/dockerd.pid" 2>/dev/null || cat "$dir/dockerd.launcher.pid" 2>/dev/null || true)
  it_kill_pid "$pid" dockerd 30
  # The containerd that dockerd launched (and any shims) normally exit with it.
  # Anything left is found by our unique directory in its command line or cwd.
  local p cmd
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ "$p" == "$$" || "$p" == "$BASHPID" || "$p" == "$PPID" ]] && continue
    # (braces: a process that exits meanwhile makes the redirect itself fail; keep that quiet)
    cmd=$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null || true)
    if [[ "$cmd" == *"$dir/"* ]]; then it_kill_pid "$p" "leftover: ${cmd:0:80}" 5; fi
  done
  # Unmount anything left below DIR (netns, shm, ...), deepest first.
  local m
  while read -r m; do
    [[ -n "$m" ]] || continue
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || it_log "could not unmount $m"
  done < <(awk -v d="$dir" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
  if [[ "${LAYERLENS_IT_KEEP:-}" == 1 ]]; then
    it_log "LAYERLENS_IT_KEEP=1: leaving $dir"
  else
    rm -rf "$dir" 2>/dev/null || { sleep 1; rm -rf "$dir"; } || it_log "could not remove $dir"
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  case "${1:-}" in
    start)
      dir=${2:-$(mktemp -d /tmp/layerlens-it.XXXXXX)}
      if ! it_start "$dir" >&2; then it_stop "$dir"; exit 1; fi
      printf 'export LAYERLENS_IT_DOCKER_HOST=%q\nexport LAYERLENS_IT_REGISTRY=%q\nexport LAYERLENS_IT_WORKDIR=%q\nexport LAYERLENS_IT_PODMAN_HOST=%q\n' \
        "$IT_DOCKER_HOST" "$IT_REGISTRY" "$dir" "$IT_PODMAN_HOST"
      ;;
    stop)
      [[ -n "${2:-}" ]] || { echo "usage: $0 stop DIR" >&2; exit 2; }
      it_stop "$2"
      ;;
    *)
      echo "usage: $0 start [DIR] | stop DIR" >&2
      exit 2
      ;;
  esac
fi
