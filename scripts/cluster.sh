#!/usr/bin/env bash
# A local ThunderDB cluster of N nodes on one machine, for development and
# tests (docs/clustering.md). Writes DIR/node-<i>/thunderdb.toml for each
# node and prints how to start it; `start` also runs the nodes in the
# background, `status` shows the members as the cluster sees them, `stop`
# sends SIGTERM and waits.
#
#   scripts/cluster.sh --nodes N --data-dir DIR [--base-port P] [--listen ADDR]
#                      [--cluster-name NAME] [--election-timeout D] [--heartbeat D]
#                      [init|start|stop|status]
#
# Node i (1..N) has node_id i and the ports P+10*(i-1)+{0 pg, 1 mysql, 2 resp,
# 3 http, 4 grpc}; its peers are the other nodes' gRPC addresses.
set -euo pipefail

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

die() {
  echo "cluster.sh: $*" >&2
  exit 2
}

nodes=""
data_dir=""
base_port=15000
listen_addr="127.0.0.1"
cluster_name="thunderdb"
election_timeout=""
heartbeat=""
command="init"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes="${2:-}"; shift 2 ;;
    --data-dir) data_dir="${2:-}"; shift 2 ;;
    --base-port) base_port="${2:-}"; shift 2 ;;
    --listen) listen_addr="${2:-}"; shift 2 ;;
    --cluster-name) cluster_name="${2:-}"; shift 2 ;;
    --election-timeout) election_timeout="${2:-}"; shift 2 ;;
    --heartbeat) heartbeat="${2:-}"; shift 2 ;;
    -h|--help) usage 0 ;;
    init|start|stop|status) command="$1"; shift ;;
    *) echo "cluster.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
done

[[ "$nodes" =~ ^[1-9][0-9]*$ ]] || die "--nodes N: expected a positive integer, got '${nodes}'"
(( nodes <= 7 )) || die "--nodes ${nodes}: at most 7 (cluster.replication_factor is at most 7)"
[[ -n "$data_dir" ]] || die "--data-dir DIR is required"
if ! [[ "$base_port" =~ ^[0-9]+$ ]] || (( base_port < 1024 || base_port + 10 * nodes > 65535 )); then
  die "--base-port ${base_port}: expected a port from 1024 such that base + 10 * nodes <= 65535"
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
thunderdb_bin="$(cd "${script_dir}/.." && pwd)/bin/thunderdb"
mkdir -p "$data_dir"
data_dir="$(cd "$data_dir" && pwd)"
# Peers dial an address, not a wildcard.
peer_host="$listen_addr"
if [[ "$listen_addr" == "0.0.0.0" || "$listen_addr" == "::" ]]; then peer_host="127.0.0.1"; fi

port() { # port NODE OFFSET
  echo $(( base_port + 10 * ($1 - 1) + $2 ))
}

node_dir() {
  echo "${data_dir}/node-$1"
}

write_config() { # write_config NODE
  local i="$1" dir peers="" j
  dir="$(node_dir "$i")"
  mkdir -p "$dir"
  for (( j = 1; j <= nodes; j++ )); do
    if (( j != i )); then peers+="${peers:+, }\"${peer_host}:$(port "$j" 4)\""; fi
  done
  {
    echo "# Written by scripts/cluster.sh: node ${i} of ${nodes}."
    echo "[node]"
    echo "node_id = ${i}"
    echo
    echo "[network]"
    echo "listen_addr = \"${listen_addr}\""
    echo "pg_port = $(port "$i" 0)"
    echo "mysql_port = $(port "$i" 1)"
    echo "resp_port = $(port "$i" 2)"
    echo "http_port = $(port "$i" 3)"
    echo "grpc_port = $(port "$i" 4)"
    echo
    echo "[storage]"
    echo "data_dir = \"${dir}/data\""
    echo "wal_dir = \"${dir}/wal\""
    echo
    echo "[cluster]"
    echo "cluster_name = \"${cluster_name}\""
    echo "peers = [${peers}]"
    echo "replication_factor = ${nodes}"
    if [[ -n "$election_timeout" ]]; then echo "raft_election_timeout = \"${election_timeout}\""; fi
    if [[ -n "$heartbeat" ]]; then echo "raft_heartbeat_interval = \"${heartbeat}\""; fi
    echo
    echo "[logging]"
    echo "format = \"json\""
  } > "${dir}/thunderdb.toml"
}

running_pid() { # prints the pid of node $1 if it runs
  local pid_file pid
  pid_file="$(node_dir "$1")/thunderdb.pid"
  [[ -f "$pid_file" ]] || return 1
  pid="$(cat "$pid_file")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; return 0; fi
  return 1
}

cmd_init() {
  local i
  for (( i = 1; i <= nodes; i++ )); do write_config "$i"; done
  echo "wrote ${nodes} node configurations under ${data_dir}; start each node with:"
  for (( i = 1; i <= nodes; i++ )); do
    echo "  ${thunderdb_bin} --config $(node_dir "$i")/thunderdb.toml"
  done
}

cmd_start() {
  local i dir pid
  cmd_init
  for (( i = 1; i <= nodes; i++ )); do
    dir="$(node_dir "$i")"
    if pid="$(running_pid "$i")"; then
      echo "node ${i} already runs (pid ${pid})"
      continue
    fi
    nohup "${thunderdb_bin}" --config "${dir}/thunderdb.toml" >> "${dir}/thunderdb.log" 2>&1 < /dev/null &
    echo "$!" > "${dir}/thunderdb.pid"
    echo "node ${i} started (pid $!): pg ${peer_host}:$(port "$i" 0), admin http://${peer_host}:$(port "$i" 3), log ${dir}/thunderdb.log"
  done
  echo "the nodes wait for each other's handshake, then elect a leader; see: $0 --nodes ${nodes} --data-dir ${data_dir} --base-port ${base_port} status"
}

cmd_stop() {
  local i pid waited
  for (( i = 1; i <= nodes; i++ )); do
    if pid="$(running_pid "$i")"; then kill -TERM "$pid"; echo "node ${i}: SIGTERM sent to ${pid}"; fi
  done
  for (( i = 1; i <= nodes; i++ )); do
    if pid="$(running_pid "$i")"; then
      waited=0
      while kill -0 "$pid" 2>/dev/null; do
        if (( waited >= 300 )); then echo "node ${i} (pid ${pid}) did not stop within 30 s" >&2; return 1; fi
        sleep 0.1
        waited=$(( waited + 1 ))
      done
    fi
    rm -f "$(node_dir "$i")/thunderdb.pid"
  done
  echo "stopped"
}

fetch_json() { # fetch_json URL: prints the body, fails if unreachable
  curl --silent --show-error --max-time 2 "$1" 2>/dev/null
}

cmd_status() {
  local i url body ready pid shown=""
  printf '%-6s %-8s %-22s %-10s %s\n' "node" "process" "admin" "ready" "role/term/leader"
  for (( i = 1; i <= nodes; i++ )); do
    pid="$(running_pid "$i" || true)"
    url="http://${peer_host}:$(port "$i" 3)"
    ready="down"
    body=""
    if body="$(fetch_json "${url}/admin/cluster/raft")"; then
      if fetch_json "${url}/admin/ready" | grep -q '"ready"'; then ready="ready"; else ready="not-ready"; fi
    fi
    printf '%-6s %-8s %-22s %-10s %s\n' "$i" "${pid:-stopped}" "${url#http://}" "$ready" \
      "$(if [[ -n "$body" ]]; then echo "$body" | jq -r '"\(.role) term=\(.term) leader=\(.leader_id // "none") commit=\(.commit_index) applied=\(.applied_index)"' 2>/dev/null || echo "$body"; else echo "-"; fi)"
    if [[ -z "$shown" && "$ready" == "ready" ]]; then shown="$url"; fi
  done
  if [[ -n "$shown" ]]; then
    echo
    echo "members as node at ${shown#http://} sees them:"
    fetch_json "${shown}/admin/cluster/members" | jq -r '.members[] | "  node \(.node_id // "?")  \(.addr // "-")  pg=\(.pg_addr // "-")  \(.role)  \(.status)"' 2>/dev/null ||
      fetch_json "${shown}/admin/cluster/members"
  fi
}

case "$command" in
  init) cmd_init ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
esac
