#!/bin/sh
# A podman stand-in for the dispatch benchmark: answers what the worker asks instantly, and for `run` writes a small
# ISO into the /output mount and records "<build-id> <epoch ns>" in $BENCH_STARTS (the builder-start time).
set -eu
cmd=${1:-}
case "$cmd" in
version) echo 4.3.1 ;;
login | pull | rm | rmi | stop | kill) ;;
image)
  case "${2:-}" in
  inspect) echo "sha256:$(printf '%064d' 0)" ;;
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
