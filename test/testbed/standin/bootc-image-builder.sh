#!/bin/sh
# bootc-image-builder stand-in for the test bed (busybox sh + xorriso).
#
# Honours the part of bootc-image-builder's contract the bot relies on (test/testbed/README.md):
#   [build|manifest|version] [--type T]... [--progress P] [--rootfs FS] [--target-arch A] [--chown U:G]
#   [--installer-payload-ref REF] [--log-level L] [-v] SOURCE-IMAGE-REF
# with the mounts /output, /config.toml or /config.json, /var/lib/containers/storage, optional /store and /rpmmd.
# It refuses what BIB refuses (rootless, storage not mounted, untagged or unpulled source, a source without the
# containers.bootc=1 label or of another architecture, unknown config keys, a bad volume id, ISO and disk config
# rules, ISO/disk mixes), prints verbose-style osbuild progress and writes /output/manifest-<types>.json and either a
# real ISO 9660 at /output/bootiso/install.iso (bootable, with an installer that follows the kickstart, when the image
# has the test bed's boot kit: installer-boot.sh) or the disk images of the run (disk-images.sh: each with its format's
# magic). Both hold SOURCE, ARGS, CONFIG, MOUNTS, TYPE, MANIFEST, OS-RELEASE and FILES (the files of the image's top
# layer, where a derived image's own files are); the ISO also the kickstart the installer would run (osbuild.ks,
# osbuild-base.ks: password hashes as they would be installed).
#
# What a builder image can do beyond the shipped baseline comes from BIB_STANDIN_FEATURES (set in the image, so
# two tags can be an older and a newer builder): iso-customizations ([customizations.iso] known), bootc-installer
# (that type exists), yescrypt ($y$ hashes kept instead of re-hashed).
#
# Fault modes (for error, timeout, cancel and size tests), picked by BIB_STANDIN_MODE=fail|hang|slow|big or by a
# marker in the source reference: fail-build[-SECONDS], hang-build, slow-build[-SECONDS], big-build[-MB].
# BIB_STANDIN_DELAY (seconds, default 20) and BIB_STANDIN_PAD_MB (default 64) override the marker numbers.
set -eu

STORAGE=/var/lib/containers/storage
HOST_ARCH=$(uname -m)
FEATURES=${BIB_STANDIN_FEATURES:-}
has_feature() {
  case " $FEATURES " in *" $1 "*) return 0 ;; esac
  return 1
}
ISO_TYPES='iso anaconda-iso'
ALL_TYPES='ami anaconda-iso gce iso ova qcow2 raw vhd vmdk'
if has_feature bootc-installer; then
  ISO_TYPES="$ISO_TYPES bootc-installer"
  ALL_TYPES='ami anaconda-iso bootc-installer gce iso ova qcow2 raw vhd vmdk'
fi
DISK_TYPES='qcow2 raw ami vmdk vhd gce ova'

# PID 1 ignores signals it has no handler for; podman stop must be able to end a hung or slow build.
SLEEP_PID=''
on_signal() {
  [ -z "$SLEEP_PID" ] || kill "$SLEEP_PID" 2>/dev/null || true
  echo "bib-standin: received signal, aborting build" >&2
  exit 143
}
trap on_signal TERM INT HUP

die() {
  echo "error: $*" >&2
  exit 1
}

usage_error() {
  echo "Error: $*" >&2
  echo "Run 'bootc-image-builder --help' for usage." >&2
  exit 2
}

usage() {
  cat <<'EOF'
Create a bootable image from an ostree native container (test-bed stand-in)

Usage:
  bootc-image-builder [command]
  bootc-image-builder build IMAGE_NAME [flags]

Available Commands:
  build       Build from an ostree native container
  manifest    Only create the manifest but don't build the image.
  version     Show the version and quit

Flags:
      --chown string                   chown the ouput directory to match the specified UID:GID
      --installer-payload-ref string   container image to install via bootc-installer
      --log-level string               logging level (debug, info, error); default error
      --output string                  artifact output directory (default ".")
      --progress string                type of progress bar to use (e.g. verbose,term) (default "auto")
      --rootfs string                  Root filesystem type. If not given, the default configured in the source container image is used.
      --target-arch string             build for the given target architecture (experimental)
      --type stringArray               image types to build [ami, anaconda-iso, bootc-installer, gce, iso, ova, qcow2, raw, vhd, vmdk] (default [qcow2])
  -v, --verbose                        Switch to verbose mode
EOF
}

# JSON string escaping for the few values that end up in the manifest.
json_str() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

log_info() {
  if [ "$LOG_LEVEL" = info ] || [ "$LOG_LEVEL" = debug ] || [ "$LOG_LEVEL" = trace ]; then
    echo "time=\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\" level=info msg=\"$*\"" >&2
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------
ARGS_FILE=$(mktemp /tmp/bib-args.XXXXXX)
printf '%s\n' "$@" >"$ARGS_FILE"

CMD=build
case "${1-}" in
build | manifest | version)
  CMD=$1
  shift
  ;;
help)
  usage
  exit 0
  ;;
esac

TYPES=''
PROGRESS=auto
ROOTFS=''
TARGET_ARCH=''
PAYLOAD_REF=''
CHOWN=''
LOG_LEVEL=error
VERBOSE=false
OUTPUT=/output
# As given on the command line (the builder's default is ".", its WORKDIR /output): echoed in "Results saved in".
OUTPUT_ARG=.
POSITIONAL=''
NPOS=0

parse_bool() { # flag value
  case "$2" in
  true | TRUE | True | t | T | 1) echo true ;;
  false | FALSE | False | f | F | 0) echo false ;;
  *) usage_error "invalid argument \"$2\" for \"$1\" flag: strconv.ParseBool: parsing \"$2\": invalid syntax" ;;
  esac
}

while [ $# -gt 0 ]; do
  arg=$1
  shift
  case "$arg" in
  --)
    for p in "$@"; do
      POSITIONAL=$p
      NPOS=$((NPOS + 1))
    done
    break
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  -v | --verbose)
    VERBOSE=true
    continue
    ;;
  --*=*)
    name=${arg%%=*}
    value=${arg#*=}
    has_value=true
    ;;
  --?*)
    name=$arg
    value=''
    has_value=false
    ;;
  -?*)
    usage_error "unknown shorthand flag: '$(printf '%s' "$arg" | cut -c2)' in $arg"
    ;;
  *)
    POSITIONAL=$arg
    NPOS=$((NPOS + 1))
    continue
    ;;
  esac

  case "$name" in
  --type | --progress | --rootfs | --target-arch | --installer-payload-ref | --chown | --log-level | --output | \
    --store | --rpmmd | --build-container | --config | --aws-ami-name | --aws-bucket | --aws-region | --seed)
    if [ "$has_value" = false ]; then
      [ $# -gt 0 ] || usage_error "flag needs an argument: $name"
      value=$1
      shift
    fi
    case "$name" in
    --type) TYPES="$TYPES $value" ;;
    --progress) PROGRESS=$value ;;
    --rootfs) ROOTFS=$value ;;
    --target-arch) TARGET_ARCH=$value ;;
    --installer-payload-ref) PAYLOAD_REF=$value ;;
    --chown) CHOWN=$value ;;
    --log-level) LOG_LEVEL=$value ;;
    --output)
      OUTPUT=$value
      OUTPUT_ARG=$value
      ;;
    --aws-ami-name | --aws-bucket | --aws-region) die "$name can only be used with --type ami" ;;
    --config) die "--config is only supported when running outside of a container" ;;
    *) ;; # accepted and ignored: --store, --rpmmd, --build-container, --seed
    esac
    ;;
  --verbose)
    VERBOSE=$(parse_bool "$name" "$value")
    ;;
  --use-librepo | --in-vm | --no-default-kernel-args | --local | --tls-verify)
    b=true
    if [ "$has_value" = true ]; then b=$(parse_bool "$name" "$value"); fi
    if [ "$name" = --local ] && [ "$b" = false ]; then
      die "the --local=false option is no longer supported, please pull the image first: sudo podman pull <image>"
    fi
    ;;
  *)
    usage_error "unknown flag: $name"
    ;;
  esac
done

if [ "$CMD" = version ]; then
  echo "build_revision: bib-standin-1"
  echo "build_time: 2026-03-01T00:00:00Z"
  echo "build_tainted: false"
  exit 0
fi

[ "$NPOS" -eq 1 ] || usage_error "accepts 1 arg(s), received $NPOS"
REF=$POSITIONAL

# In a user namespace (rootless podman) the uid map is not the identity: the builder needs root's storage, loop
# devices and mounts, and refuses.
UID_MAP=$(awk 'NR == 1 { print $1, $2, $3 }' /proc/self/uid_map 2>/dev/null || true)
[ "$UID_MAP" = '0 0 4294967295' ] || die "this command must be run in rootful (not rootless) podman"

if [ "$VERBOSE" = true ]; then
  [ "$PROGRESS" = auto ] && PROGRESS=verbose
  [ "$LOG_LEVEL" = error ] && LOG_LEVEL=info
fi
case "$PROGRESS" in
auto) PROGRESS=verbose ;; # podman run without -t has no pty, so BIB falls back to verbose
verbose | term | debug) ;;
*) die "unknown progress type: \"$PROGRESS\"" ;;
esac
case "$LOG_LEVEL" in
panic | fatal | error | warn | warning | info | debug | trace) ;;
*) die "not a valid logrus Level: \"$LOG_LEVEL\"" ;;
esac
case "$ROOTFS" in
'' | ext4 | xfs | btrfs) ;;
*) die "unsupported root filesystem type \"$ROOTFS\", choose one of: ext4, xfs, btrfs" ;;
esac
if [ -n "$CHOWN" ] && ! printf '%s\n' "$CHOWN" | grep -Eq '^[0-9]+(:[0-9]+)?$'; then
  die "invalid --chown value \"$CHOWN\", expected UID or UID:GID"
fi

# ---------------------------------------------------------------------------------------------------------------
# Image types
# ---------------------------------------------------------------------------------------------------------------
[ -n "$TYPES" ] || TYPES=qcow2
NISO=0
NDISK=0
for t in $TYPES; do
  case " $ISO_TYPES " in
  *" $t "*)
    NISO=$((NISO + 1))
    continue
    ;;
  esac
  case " $DISK_TYPES " in
  *" $t "*)
    NDISK=$((NDISK + 1))
    continue
    ;;
  esac
  die "unsupported image type \"$t\", valid types are $(echo "$ALL_TYPES" | sed 's/ /, /g')"
done
[ "$NISO" -gt 0 ] && [ "$NDISK" -gt 0 ] && die "cannot mix ISO/disk images in request"
[ "$NISO" -gt 1 ] && die "only one ISO image type can be built per request, got:$TYPES"
FAMILY=iso
[ "$NDISK" -gt 0 ] && FAMILY=disk
TYPE=$(echo $TYPES)
# The manifest is named for every type of the run: manifest-qcow2-raw.json.
TYPE_NAME=$(echo $TYPES | tr ' ' '-')

normalize_arch() {
  case "$1" in
  amd64 | x86_64) echo x86_64 ;;
  arm64 | aarch64) echo aarch64 ;;
  *) echo "$1" ;;
  esac
}
if [ -n "$TARGET_ARCH" ] && [ "$(normalize_arch "$TARGET_ARCH")" != "$(normalize_arch "$HOST_ARCH")" ]; then
  die "cannot build iso for different target arches yet"
fi
if [ "$TYPE" = bootc-installer ] && [ -z "$PAYLOAD_REF" ]; then
  die "--installer-payload-ref is required for the bootc-installer image type"
fi

# ---------------------------------------------------------------------------------------------------------------
# Container storage and source image (BIB only reads the host's storage; it never pulls)
# ---------------------------------------------------------------------------------------------------------------
if [ ! -d "$STORAGE/overlay" ]; then
  die "could not access container storage, did you forget -v /var/lib/containers/storage:/var/lib/containers/storage? (stat $STORAGE/overlay: no such file or directory)"
fi
log_info "container storage found at $STORAGE"

has_tag() {
  case "$1" in *@*) return 1 ;; esac
  case "${1##*/}" in *:?*) return 0 ;; esac
  return 1
}
IMAGES_JSON=$STORAGE/overlay-images/images.json
# A field ("id", "layer") of the image whose "names" list holds exactly this reference ("names-history" does not
# count: it keeps references that have moved to another image).
image_field() { # ref field
  [ -f "$IMAGES_JSON" ] || return 0
  sed 's/},{"id"/}\n{"id"/g' "$IMAGES_JSON" | awk -v ref="\"$1\"" -v field="$2" '
    match($0, /"names":\[[^]]*\]/) && index(substr($0, RSTART, RLENGTH), ref) > 0 {
      if (match($0, "\"" field "\":\"[0-9a-f]+\"")) {
        v = substr($0, RSTART, RLENGTH); sub(/^"[a-z]+":"/, "", v); sub(/"$/, "", v); print v; exit
      }
    }'
}
in_storage() {
  [ -n "$(image_field "$1" id)" ]
}
require_image() {
  if ! has_tag "$1"; then
    case "$1" in
    *@*) die "image $1 has no tag: bootc-image-builder needs a tagged container image, not a digest reference" ;;
    *) die "image $1 has no tag: bootc-image-builder needs a tagged container image (e.g. $1:latest)" ;;
    esac
  fi
  if ! in_storage "$1"; then
    echo "error: cannot find image $1 in local storage; pull it first" >&2
    echo "bootc-image-builder no longer pulls images, make sure to pull it before running bootc-image-builder:" >&2
    echo "    sudo podman pull $1" >&2
    exit 1
  fi
}
require_image "$REF"
[ -z "$PAYLOAD_REF" ] || require_image "$PAYLOAD_REF"
log_info "source image $REF found in local storage"

IMAGE_ID=$(image_field "$REF" id)
IMAGE_LAYER=$(image_field "$REF" layer)

# The image's config blob (the big-data file with "rootfs" and "architecture"): labels and architecture.
image_config() {
  for f in "$STORAGE/overlay-images/$IMAGE_ID"/*; do
    [ -f "$f" ] || continue
    if grep -q '"rootfs"' "$f" && grep -q '"architecture"' "$f"; then
      cat "$f"
      return 0
    fi
  done
}
IMAGE_CONFIG=$(image_config)
IMAGE_ARCH=$(printf '%s' "$IMAGE_CONFIG" | sed -n 's/.*"architecture":[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)

# ---------------------------------------------------------------------------------------------------------------
# Fault mode
# ---------------------------------------------------------------------------------------------------------------
MODE=${BIB_STANDIN_MODE:-}
if [ -z "$MODE" ]; then
  case "$REF" in
  *fail-build*) MODE=fail ;;
  *hang-build*) MODE=hang ;;
  *slow-build*) MODE=slow ;;
  *big-build*) MODE=big ;;
  *) MODE=ok ;;
  esac
fi
case "$MODE" in
ok | none | '') MODE=ok ;;
fail | hang | slow | big) ;;
*) die "bib-standin: unknown BIB_STANDIN_MODE \"$MODE\" (use fail, hang, slow or big)" ;;
esac
DELAY=${BIB_STANDIN_DELAY:-$(expr "$REF" : '.*slow-build-\([0-9][0-9]*\)' || true)}
DELAY=${DELAY:-20}
# fail-build-SECONDS: fail that much later (a build that holds its place for a while, then fails).
FAIL_AFTER=$(expr "$REF" : '.*fail-build-\([0-9][0-9]*\)' || true)
PAD_MB=${BIB_STANDIN_PAD_MB:-$(expr "$REF" : '.*big-build-\([0-9][0-9]*\)' || true)}
PAD_MB=${PAD_MB:-64}

# ---------------------------------------------------------------------------------------------------------------
# Config (/config.toml or /config.json) flattened to "dotted.key<TAB>raw value" lines
# ---------------------------------------------------------------------------------------------------------------
CONFIG=''
if [ -f /config.toml ]; then
  CONFIG=/config.toml
elif [ -f /config.json ]; then
  CONFIG=/config.json
fi
KEYS=$(mktemp /tmp/bib-config-keys.XXXXXX)

flatten_toml() {
  awk '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
    function clean(k) { gsub(/[ \t]*\.[ \t]*/, ".", k); gsub(/["\047]/, "", k); return k }
    BEGIN { table = ""; ml = "" }
    {
      line = $0
      if (ml != "") { if (index(line, ml) > 0) ml = ""; next }
      l = trim(line)
      if (l == "" || substr(l, 1, 1) == "#") next
      if (substr(l, 1, 1) == "[") {
        t = l; sub(/^\[+[ \t]*/, "", t); sub(/[ \t]*\].*$/, "", t); table = clean(t); print table "\t"; next
      }
      eq = index(l, "=")
      if (eq == 0) next
      k = clean(trim(substr(l, 1, eq - 1))); v = trim(substr(l, eq + 1))
      d = substr(v, 1, 3)
      if ((d == "\"\"\"" || d == "\047\047\047") && index(substr(v, 4), d) == 0) ml = d
      print (table == "" ? k : table "." k) "\t" v
    }' "$1"
}

flatten_json() {
  awk '
    function path(   p, d) {
      p = ""
      for (d = 1; d <= depth; d++) if (typ[d] == "o" && key[d] != "") p = (p == "" ? key[d] : p "." key[d])
      return p
    }
    { buf = buf $0 "\n" }
    END {
      n = length(buf); depth = 0; expectkey = 0; i = 1
      while (i <= n) {
        c = substr(buf, i, 1)
        if (c == "{") { depth++; typ[depth] = "o"; key[depth] = ""; expectkey = 1; i++; continue }
        if (c == "[") { depth++; typ[depth] = "a"; expectkey = 0; i++; continue }
        if (c == "}" || c == "]") { depth--; expectkey = 0; i++; continue }
        if (c == ",") { expectkey = (typ[depth] == "o"); i++; continue }
        if (c == "\"") {
          s = ""; i++
          while (i <= n) {
            c = substr(buf, i, 1)
            if (c == "\\") { s = s substr(buf, i, 2); i += 2; continue }
            if (c == "\"") break
            s = s c; i++
          }
          i++
          if (expectkey) { key[depth] = s; expectkey = 0; print path() "\t" }
          else if (typ[depth] == "o") print path() "\t\"" s "\""
          continue
        }
        i++
      }
    }' "$1"
}

if [ -n "$CONFIG" ]; then
  case "$CONFIG" in
  *.toml) flatten_toml "$CONFIG" >"$KEYS" ;;
  *.json) flatten_json "$CONFIG" >"$KEYS" ;;
  esac
  log_info "loaded config from $CONFIG"
fi

has_key() { # dotted.key: true when the key or anything below it is set
  awk -F '\t' -v p="$1" '$1 == p || index($1, p ".") == 1 { found = 1 } END { exit !found }' "$KEYS"
}
key_value() { # dotted.key: the first string value, quotes removed
  awk -F '\t' -v p="$1" '$1 == p && $2 != "" { v = $2; sub(/^["\047]/, "", v); sub(/["\047].*$/, "", v); print v; exit }' "$KEYS"
}

# shellcheck source=config-rules.sh
. "${BIB_STANDIN_LIB:-/usr/lib/bib-standin}/config-rules.sh"

# ---------------------------------------------------------------------------------------------------------------
# Progress output
# ---------------------------------------------------------------------------------------------------------------
STEP=0
hash_of() { printf '%s %s %s\n' "$REF" "$TYPE_NAME" "$1" | sha256sum | cut -c1-64; }
out() { # osbuild detail: shown in verbose and debug modes only
  [ "$PROGRESS" = term ] || echo "$*"
}
# Seconds since boot with two decimals, like osbuild's stage timings.
uptime_now() { cut -d ' ' -f1 /proc/uptime; }
STAGE_T0=0
stage() { # pipeline-name: starts a pipeline
  STEP=$((STEP + 1))
  STAGE_T0=$(uptime_now)
  case "$PROGRESS" in
  term) echo "Disk image building step: $1" ;;
  debug) echo "[$STEP / 7] Pipeline $1" ;;
  esac
  if [ "$1" = source ]; then
    out "starting -Pipeline source org.osbuild.containers-storage: $(hash_of "$1")"
  else
    out "Pipeline $1: $(hash_of "$1")"
  fi
  out "Build"
  out "  root: <host>"
  out "  runner: org.osbuild.fedora42 (org.osbuild.fedora42)"
}
step() { # osbuild stage line
  out "$1: $(hash_of "$1") {$2}"
}
stage_end() {
  pause
  out "⏱  Duration: $(awk -v a="$STAGE_T0" -v b="$(uptime_now)" 'BEGIN { printf "%.2f", b - a }')s"
}
nap() { # in the background, so that a stop signal ends it at once
  sleep "$1" &
  SLEEP_PID=$!
  wait "$SLEEP_PID"
  SLEEP_PID=''
}
pause() {
  [ "$MODE" != slow ] || nap "$DELAY"
}
hang() {
  log_info "bib-standin: hang mode, sleeping until killed"
  sleep 2147483647 &
  SLEEP_PID=$!
  wait "$SLEEP_PID"
}

# ---------------------------------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------------------------------
MANIFEST_NAME=manifest-$TYPE_NAME.json
LABEL_DEFAULT=Container-Installer-$HOST_ARCH
manifest_json() {
  printf '{"version":"2","x-bib-standin":true,"source":%s,"type":%s,"arch":%s,"image_id":%s,' \
    "$(json_str "$REF")" "$(json_str "$TYPE_NAME")" "$(json_str "$HOST_ARCH")" "$(json_str "$IMAGE_ID")"
  printf '"rootfs":%s,"payload":%s,' "$(json_str "${ROOTFS:-ext4}")" "$(json_str "$PAYLOAD_REF")"
  printf '"pipelines":[{"name":"build"},{"name":"anaconda-tree"},{"name":"rootfs-image"},{"name":"efiboot-tree"},'
  printf '{"name":"bootiso-tree"},{"name":"bootiso"}],"sources":{"org.osbuild.containers-storage":{"items":{%s:{}}}}}\n' \
    "$(json_str "sha256:$IMAGE_ID")"
}

if [ "$CMD" = manifest ]; then
  validate_config
  manifest_json
  exit 0
fi
[ "$PROGRESS" = term ] && echo "Manifest generation step"
echo "Generating manifest $MANIFEST_NAME"
validate_config
# Checked while the manifest is generated, so a build without the label fails late, after its first output.
if ! printf '%s' "$IMAGE_CONFIG" | grep -Eq '"containers\.bootc":[[:space:]]*"1"'; then
  die "cannot build manifest: image $REF is not a bootc image (it has no label containers.bootc=1)"
fi
WANT_ARCH=$(normalize_arch "${TARGET_ARCH:-$HOST_ARCH}")
if [ -n "$IMAGE_ARCH" ] && [ "$(normalize_arch "$IMAGE_ARCH")" != "$WANT_ARCH" ]; then
  die "image found is for unexpected architecture \"$(normalize_arch "$IMAGE_ARCH")\" (need \"$WANT_ARCH\")"
fi
LABEL=''
[ "$FAMILY" = disk ] || LABEL=$(iso_label)
mkdir -p "$OUTPUT"
manifest_json >"$OUTPUT/$MANIFEST_NAME"
echo "DONE"
echo "Building $MANIFEST_NAME"

stage source
step org.osbuild.containers-storage "\"image\":\"$REF\""
stage_end
[ "$MODE" = hang ] && hang

stage build
step org.osbuild.rpm '"gpgkeys":[],"exclude":{"docs":true}'
step org.osbuild.selinux '"file_contexts":"etc/selinux/targeted/contexts/files/file_contexts"'
stage_end

# What the builder was given, recorded in every image it makes: the request's files, the config, the mounts, the
# image's os-release and the files of its top layer (a derived image's own files show up there).
record_inputs() { # tree
  printf '%s\n' "$REF" >"$1/SOURCE"
  cp "$ARGS_FILE" "$1/ARGS"
  echo "$TYPE" >"$1/TYPE"
  manifest_json >"$1/MANIFEST.JSON"
  if [ -n "$CONFIG" ]; then cp "$CONFIG" "$1/CONFIG"; fi
  : >"$1/MOUNTS"
  for m in /output /config.toml /config.json /var/lib/containers/storage /store /rpmmd; do
    awk -v m="$m" '$5 == m { split($6, o, ","); print m " " o[1]; exit }' /proc/self/mountinfo >>"$1/MOUNTS"
  done
  OS_RELEASE=''
  for f in etc/os-release usr/lib/os-release; do
    if [ -n "$IMAGE_LAYER" ] && [ -f "$STORAGE/overlay/$IMAGE_LAYER/diff/$f" ]; then
      OS_RELEASE=$STORAGE/overlay/$IMAGE_LAYER/diff/$f
      break
    fi
  done
  if [ -n "$OS_RELEASE" ]; then cp "$OS_RELEASE" "$1/OS-RELEASE"; else echo 'NAME="unknown"' >"$1/OS-RELEASE"; fi
  : >"$1/FILES"
  if [ -n "$IMAGE_LAYER" ] && [ -d "$STORAGE/overlay/$IMAGE_LAYER/diff" ]; then
    (cd "$STORAGE/overlay/$IMAGE_LAYER/diff" && find . -type f | sed 's|^\./|/|' | sort) >"$1/FILES"
  fi
}

if [ "$FAMILY" = disk ]; then
  . "${BIB_STANDIN_LIB:-/usr/lib/bib-standin}/disk-images.sh"
  write_disk_images
  rm -rf "$KEYS" "$ARGS_FILE"
  if [ -n "$CHOWN" ]; then
    chown -R "$CHOWN" "$OUTPUT" || die "chowning is not allowed in output directory"
  fi
  out "manifest - finished successfully"
  echo "Build complete!" >&2
  echo "Results saved in $OUTPUT_ARG" >&2
  exit 0
fi

stage anaconda-tree
step org.osbuild.rpm '"packages":["anaconda","anaconda-install-env-deps"]'
step org.osbuild.buildstamp "\"arch\":\"$HOST_ARCH\",\"product\":\"Container Installer\""
step org.osbuild.kickstart '"path":"/osbuild-base.ks","ostreecontainer":{"url":"/run/install/repo/container","transport":"oci"}'
if [ "$MODE" = fail ]; then
  [ -z "$FAIL_AFTER" ] || nap "$FAIL_AFTER"
  out "org.osbuild.dracut: $(hash_of dracut) {\"kernel\":[\"6.12.0\"]}"
  echo "dracut: FAILED: /usr/lib/dracut/dracut-install -D /run/osbuild/tree/var/tmp/dracut.XXX/initramfs"
  echo "Failed to run stage org.osbuild.dracut"
  echo "error: osbuild failed: running osbuild failed: exit status 1" >&2
  exit 1
fi
step org.osbuild.dracut '"kernel":["6.12.0"],"modules":["bash","systemd","anaconda","dmsquash-live"]'
stage_end

stage rootfs-image
step org.osbuild.squashfs '"filename":"images/install.img","compression":{"method":"zstd"}'
stage_end

stage efiboot-tree
step org.osbuild.grub2.iso "\"product\":{\"name\":\"Container Installer\"},\"isolabel\":\"$LABEL\""
stage_end

stage bootiso-tree
step org.osbuild.skopeo '"destination":{"type":"oci","path":"/container"}'
step org.osbuild.discinfo "\"basearch\":\"$HOST_ARCH\",\"release\":\"Container Installer\""
stage_end

# ---------------------------------------------------------------------------------------------------------------
# The ISO: a real ISO 9660 image whose files record what the builder was given
# ---------------------------------------------------------------------------------------------------------------
stage bootiso
TREE=$(mktemp -d /tmp/bootiso-tree.XXXXXX)
record_inputs "$TREE"
write_kickstart "$TREE"
BOOT_ARGS=''
if [ -d "${BIB_STANDIN_LIB:-/usr/lib/bib-standin}/boot" ]; then
  . "${BIB_STANDIN_LIB:-/usr/lib/bib-standin}/installer-boot.sh"
  BOOT_ARGS=$(make_iso_bootable "$TREE")
fi
if [ "$MODE" = big ]; then
  log_info "bib-standin: padding the ISO with $PAD_MB MiB of random data"
  dd if=/dev/urandom of="$TREE/PADDING" bs=1048576 count="$PAD_MB" 2>/dev/null
fi

mkdir -p "$OUTPUT/bootiso"
ISO_TMP=$OUTPUT/bootiso/.install.iso.partial
step org.osbuild.xorrisofs "\"filename\":\"install.iso\",\"volid\":\"$LABEL\",\"sysid\":\"LINUX\""
XORRISO_LOG=$TREE.log
# shellcheck disable=SC2086 # BOOT_ARGS is a list of arguments
if ! xorriso -as mkisofs -R -V "$LABEL" -o "$ISO_TMP" $BOOT_ARGS "$TREE" >"$XORRISO_LOG" 2>&1; then
  cat "$XORRISO_LOG" >&2
  die "xorriso failed"
fi
[ "$PROGRESS" = term ] || cat "$XORRISO_LOG"
step org.osbuild.implantisomd5 '"filename":"install.iso"'
out "Inserting md5sum into iso image..."
mv -f "$ISO_TMP" "$OUTPUT/bootiso/install.iso"
stage_end
rm -rf "$TREE" "$XORRISO_LOG" "$KEYS" "$ARGS_FILE"

if [ -n "$CHOWN" ]; then
  chown -R "$CHOWN" "$OUTPUT" || die "chowning is not allowed in output directory"
fi

out "manifest - finished successfully"
echo "Build complete!" >&2
echo "Results saved in $OUTPUT_ARG" >&2
