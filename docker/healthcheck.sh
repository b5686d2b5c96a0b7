#!/usr/bin/env bash
# Container health check: GET /healthz on the metrics port, healthy only on HTTP 200.
# Uses bash's /dev/tcp so the slim image needs no curl; the port comes from
# SENTISTREAM_METRICS_PORT (default 9464), the host from SENTISTREAM_HEALTH_HOST.
set -euo pipefail
host=${SENTISTREAM_HEALTH_HOST:-127.0.0.1}
port=${SENTISTREAM_METRICS_PORT:-9464}
path=${1:-/healthz}

if ! exec 3<>"/dev/tcp/${host}/${port}"; then
  echo "healthcheck: cannot connect to ${host}:${port}" >&2
  exit 1
fi
printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$host" >&3
status_line=""
IFS= read -r -t 2 status_line <&3 || true
exec 3<&-
status_line=${status_line%$'\r'}
if [[ $status_line =~ ^HTTP/[0-9.]+\ 200( |$) ]]; then
  exit 0
fi
echo "healthcheck: ${path} answered '${status_line:-nothing}'" >&2
exit 1
