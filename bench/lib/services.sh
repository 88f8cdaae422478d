# Services the benchmark talks to, all on 127.0.0.1 or a unix socket. Sourced by bench/run.
# Everything started here records its pid under "$BENCH_WORK/pids" and stop_services ends exactly those.

# A TCP port nobody listens on: 5000 when free, else one the kernel picks.
free_port() {
  if ! (exec 3<>/dev/tcp/127.0.0.1/5000) 2>/dev/null; then echo 5000; return; fi
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() { # $1 port, $2 log file to show on failure
  for _ in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: nothing listens on 127.0.0.1:$1 after 10 s; log:" >&2; tail -n 20 "$2" >&2; return 1
}

# Starts a registry with its storage in the work directory; sets BENCH_REGISTRY=127.0.0.1:PORT.
start_registry() {
  local dir="$BENCH_WORK/registry" port
  port=$(free_port)
  mkdir -p "$dir/data"
  cat > "$dir/config.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  echo $! > "$BENCH_WORK/pids/registry"
  wait_for_port "$port" "$dir/registry.log"
  BENCH_REGISTRY="127.0.0.1:$port"
}

docker_responds() { DOCKER_HOST="$1" /usr/bin/docker version >/dev/null 2>&1; }

# Uses the dockerd on /var/run/docker.sock when one answers (unless BENCH_OWN_DOCKERD=1), else starts one
# with its data under the work directory. Its own bridge and iptables rules are turned off: builds need no
# network beyond the loopback registry, and the machine's firewall is left exactly as it was.
# Sets DOCKER_HOST and BENCH_DOCKERD_PID.
start_dockerd() {
  if [ "${BENCH_OWN_DOCKERD:-0}" != 1 ] && docker_responds unix:///var/run/docker.sock; then
    DOCKER_HOST=unix:///var/run/docker.sock
    BENCH_DOCKERD_PID=$(pidof dockerd | awk '{print $1}')
    echo "bench: using the running dockerd (pid ${BENCH_DOCKERD_PID:-unknown}); its build cache will be pruned" >&2
    return 0
  fi
  local dir="$BENCH_WORK/docker"
  mkdir -p "$dir/data" "$dir/exec"
  dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
    --host "unix://$dir/docker.sock" --bridge=none --iptables=false --ip-masq=false \
    --insecure-registry "$BENCH_REGISTRY" > "$dir/dockerd.log" 2>&1 &
  echo $! > "$BENCH_WORK/pids/dockerd"
  BENCH_DOCKERD_PID=$!
  DOCKER_HOST="unix://$dir/docker.sock"
  for _ in $(seq 1 300); do
    if docker_responds "$DOCKER_HOST"; then return 0; fi
    if ! kill -0 "$BENCH_DOCKERD_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "bench: dockerd did not come up; log:" >&2; tail -n 20 "$dir/dockerd.log" >&2; return 1
}

# Ends what start_* started (by pid, gently first) and unmounts anything left under the work directory.
stop_services() {
  local name pid
  for name in dockerd registry; do
    [ -f "$BENCH_WORK/pids/$name" ] || continue
    pid=$(cat "$BENCH_WORK/pids/$name")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$BENCH_WORK/pids/$name"
  done
  # Overlay and shm mounts the tools left behind, deepest first, so the directory can be removed.
  awk -v root="$BENCH_WORK/" 'index($2, root) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r mountpoint; do umount -l "$mountpoint" 2>/dev/null || true; done
}
