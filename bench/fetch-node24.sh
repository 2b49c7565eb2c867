#!/usr/bin/env bash
# Puts Node.js 24 (the Lambda functions' runtime) into .scratch/node24 for `npm run bench:bundles`, from
# the npm registry's node-linux-<arch> package (npm pack: no install scripts run). A developer step, never
# run by tests; .scratch/ is git-ignored. Usage: bench/fetch-node24.sh [version], default: the latest 24.x.
set -euo pipefail
cd "$(dirname "$0")/.."
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "fetch-node24: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
[ "$(uname -s)" = Linux ] || { echo "fetch-node24: Linux only (node-linux-$arch)" >&2; exit 1; }
spec="node-linux-$arch@${1:-24}"
dest=.scratch/node24
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack "$spec" --pack-destination "$work" --silent | tail -n 1)
tar -xzf "$work/$tarball" -C "$work"
rm -rf "$dest"
mkdir -p "$dest"
cp -R "$work/package/bin" "$dest/bin"
chmod +x "$dest/bin/node"
echo "$("$dest/bin/node" --version) in $dest/bin/node (from $spec)"
