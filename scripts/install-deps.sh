#!/bin/sh
# install-deps.sh - installs the Debian 12 packages callsla needs to build,
# test and demo, when some are missing.  Uses sudo when not root.
set -eu

pkgs="build-essential pkg-config clang libclang-rt-dev
      libconfig-dev libcmocka-dev libjansson-dev
      librdkafka-dev libhiredis-dev libevent-dev
      libcurl4-openssl-dev libssl-dev libsystemd-dev
      redis-server tzdata gawk python3 curl
      prometheus prometheus-alertmanager chromium systemd"

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
