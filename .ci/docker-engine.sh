#!/usr/bin/env bash
# Makes a Docker engine answer on this machine, for the tests and the image builder.
#
# Idempotent: on a bare machine it installs docker.io and debootstrap from Debian
# and starts dockerd; where they are installed, or an engine already answers,
# it changes nothing.
#
# The engine runs with --bridge=none --iptables=false: Docker's default bridge
# lives in a private address range, which these machines must not use. Containers
# therefore use host networking, which the default network setting (auto) takes
# on an engine without a bridge.
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"
WAIT_SECONDS=60

missing=()
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  missing+=(docker.io)
fi
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep the package from starting its own dockerd, which would create the
  # default bridge; the engine is started below with the right options.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if docker info >/dev/null 2>&1; then
  echo "a Docker engine already answers"
  exit 0
fi

if [ -s /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  # A second dockerd would refuse to start (pid file); wait for the first one.
  echo "dockerd is starting; waiting for it"
else
  echo "starting dockerd (log: $DOCKERD_LOG)"
  # setsid: the engine must outlive this script and the shell that ran it.
  setsid dockerd --bridge=none --iptables=false >"$DOCKERD_LOG" 2>&1 </dev/null &
fi

for _ in $(seq "$WAIT_SECONDS"); do
  if docker info >/dev/null 2>&1; then
    echo "the Docker engine answers"
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within ${WAIT_SECONDS} s; the end of its log:" >&2
tail -n 30 "$DOCKERD_LOG" >&2 || true
exit 1
