#!/usr/bin/env bash
# Run by `npm run bench` first (npm's prebench): installs what the benchmarks need on a clean clone of this kind of
# machine (Debian 12, root; only npm and the Debian archive reachable): the testbed packages (as .ci/run), the CLI
# baselines (awscli, rclone) and GNU time for their peak RSS, then node_modules when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(podman runc docker-registry xorriso busybox-static apache2-utils redis-server file awscli rclone time)
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$pkg"); fi
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    echo "bench: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or the sections needing them report why they were skipped" >&2
  else
    echo "bench: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null
  fi
fi
[[ -x node_modules/.bin/tsx ]] || npm ci --no-audit --no-fund
