#!/bin/sh
# A podman stand-in for the dispatch benchmark: answers what the worker asks instantly, and for `run` writes a small
# ISO into the /output mount and records "<build-id> <epoch ns>" in $BENCH_STARTS (the builder-start time). The
# worker gives its children a minimal environment, so the bench calls this through a wrapper that sets BENCH_STARTS.
set -eu
cmd=${1:-}
case "$cmd" in
version) echo 4.3.1 ;;
login | pull | rm | rmi | stop | kill) ;;
image)
  case "${2:-}" in
  inspect)
    digest="sha256:$(printf '%064d' 0)"
    # `--format json` (the source check: a bootc image of this host's architecture) or `--format {{.Digest}}`.
    case "$*" in
    *"--format json"*)
      arch=$(uname -m)
      case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
      echo "[{\"Digest\":\"$digest\",\"Architecture\":\"$arch\",\"Labels\":{\"containers.bootc\":\"1\"}}]"
      ;;
    *) echo "$digest" ;;
    esac
    ;;
  esac
  ;;
run)
  now=$(date +%s%N)
  out=''
  build=''
  prev=''
  for a in "$@"; do
    case "$prev" in
    -v) case "$a" in *:/output) out=${a%:/output} ;; esac ;;
    --label) case "$a" in io.bootc-iso.build=*) build=${a#io.bootc-iso.build=} ;; esac ;;
    esac
    prev=$a
  done
  echo "$build $now" >>"$BENCH_STARTS"
  mkdir -p "$out/bootiso"
  head -c "${BENCH_ISO_BYTES:-65536}" /dev/urandom >"$out/bootiso/install.iso"
  echo "Generating manifest manifest-iso.json"
  echo "Building manifest-iso.json"
  echo "Build complete!"
  echo "Results saved in"
  ;;
*) ;;
esac
exit 0
