#!/usr/bin/env bash
# Podman's Docker-compatible API service, for Testcontainers and `./pipeline up --containers`.
#   eval "$(deploy/images/podman-api.sh start)"   starts it (or reuses a running one) and prints the environment
#   deploy/images/podman-api.sh stop              stops the one it started
# The socket lives under .pipeline/podman/ (PIPELINE_PODMAN_DIR); nothing listens on the network.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${PIPELINE_PODMAN_DIR:-$root/.pipeline/podman}"
sock="$dir/podman.sock"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/deploy/images/containers.conf}"

answers() {
  curl -s -m 2 --unix-socket "$sock" http://d/_ping 2>/dev/null | grep -q OK
}

case "${1:-}" in
  start)
    command -v podman >/dev/null || { echo "podman is missing: apt-get install podman runc" >&2; exit 2; }
    mkdir -p "$dir"
    chmod 700 "$dir"
    if ! answers; then
      rm -f "$sock"
      nohup podman system service --time=0 "unix://$sock" >"$dir/service.log" 2>&1 &
      echo $! >"$dir/service.pid"
      for _ in $(seq 1 100); do answers && break; sleep 0.1; done
      answers || { echo "Podman's API service did not answer on $sock:" >&2; tail -20 "$dir/service.log" >&2; exit 1; }
    fi
    # Ryuk's image cannot be pulled here; the stack removes its own containers. HOST_OVERRIDE keeps traffic on loopback.
    echo "export CONTAINERS_CONF=$CONTAINERS_CONF DOCKER_HOST=unix://$sock TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
    ;;
  stop)
    if [ -f "$dir/service.pid" ]; then
      kill "$(cat "$dir/service.pid")" 2>/dev/null || true
      rm -f "$dir/service.pid" "$sock"
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
