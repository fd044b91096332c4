#!/usr/bin/env bash
# Builds the numaplace .deb from this tree without touching it: copies the
# sources to a temporary directory, puts contrib/debian there as debian/,
# and runs dpkg-buildpackage -us -uc -b (no network needed once the build
# dependencies are installed). The .deb files land in OUTDIR (default:
# build/deb). Usage: contrib/debian/build.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
out=${1:-$top/build/deb}

# debhelper is the one build tool not in contrib/install-deps.sh.
if ! command -v dh >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debhelper
    else
        echo "build.sh: debhelper is missing: sudo apt-get install debhelper" >&2
        exit 1
    fi
fi

work=$(mktemp -d /tmp/numaplace-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/numaplace-$(sed -n '1s/.*(\([^)]*\)).*/\1/p' contrib/debian/changelog)
mkdir -p "$src"
# Sources only: no build products, VM images or version-control data.
tar -C "$top" --exclude=./build --exclude=./.git --exclude=./debian \
    --exclude=./daemon/numaplaced --exclude=./daemon/numaplacectl -cf - . | tar -C "$src" -xf -
cp -r contrib/debian "$src/debian"
rm -f "$src/debian/build.sh"

(cd "$src" && dpkg-buildpackage -us -uc -b)

mkdir -p "$out"
cp "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
for deb in "$out"/*.deb; do
    echo "== $deb"
    dpkg-deb -c "$deb"
done
