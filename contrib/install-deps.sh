#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build numaplace and run
# every test, including the multi-node VM scenarios. Idempotent.
set -euo pipefail
pkgs=(build-essential pkg-config libnuma-dev libevent-dev libconfig-dev libsystemd-dev
      libjson-c-dev check qemu-system-x86 busybox-static cpio numactl numad
      clang libclang-rt-14-dev systemd groff-base man-db tmux valgrind)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: everything is installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${missing[*]}; run as root (sudo $0)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
