# bootc-image-builder stand-in: disk images (sourced by bootc-image-builder.sh; busybox sh). Each file starts (or,
# for vhd, also ends) with its real format's magic, so a reader that checks formats accepts it; what the builder was
# given follows as an uncompressed tar at 4 KiB, so tests can read it back. Uses $OUTPUT, $TYPE and record_inputs.

# The tree every disk image of this run carries, as a tar.
disk_payload() { # tar-file
  tree=$(mktemp -d /tmp/disk-tree.XXXXXX)
  record_inputs "$tree"
  tar -C "$tree" -cf "$1" .
  rm -rf "$tree"
}

# An image of `kind`: its magic, zeros up to 4 KiB, then the payload (and a footer where the format has one).
write_disk() { # kind file payload
  part=$2.partial
  : >"$part"
  case "$1" in
  qcow2) printf 'QFI\373\000\000\000\003' >"$part" ;;
  vmdk) printf 'KDMV\001\000\000\000' >"$part" ;;
  vhd) printf 'conectix' >"$part" ;;
  raw)
    # An MBR: the boot signature 0x55AA at offset 510.
    dd if=/dev/zero of="$part" bs=512 count=1 2>/dev/null
    printf '\125\252' | dd of="$part" bs=1 seek=510 conv=notrunc 2>/dev/null
    ;;
  esac
  dd if="$3" of="$part" bs=4096 seek=1 conv=notrunc 2>/dev/null
  if [ "$1" = vhd ]; then
    # The footer: 512 bytes at the end that start with the cookie.
    size=$(wc -c <"$part")
    pad=$(((512 - size % 512) % 512))
    [ "$pad" -eq 0 ] || dd if=/dev/zero bs=1 count="$pad" 2>/dev/null >>"$part"
    { printf 'conectix'; dd if=/dev/zero bs=504 count=1 2>/dev/null; } >>"$part"
  fi
  mv -f "$part" "$2"
}

write_disk_images() {
  payload=$(mktemp /tmp/disk-payload.XXXXXX)
  disk_payload "$payload"
  stage image
  for t in $TYPE; do
    case "$t" in
    qcow2)
      mkdir -p "$OUTPUT/qcow2"
      step org.osbuild.qemu '"filename":"disk.qcow2","format":{"type":"qcow2"}'
      write_disk qcow2 "$OUTPUT/qcow2/disk.qcow2" "$payload"
      ;;
    raw | ami)
      mkdir -p "$OUTPUT/image"
      step org.osbuild.truncate '"filename":"disk.raw"'
      [ -f "$OUTPUT/image/disk.raw" ] || write_disk raw "$OUTPUT/image/disk.raw" "$payload"
      ;;
    vmdk)
      mkdir -p "$OUTPUT/vmdk"
      step org.osbuild.qemu '"filename":"disk.vmdk","format":{"type":"vmdk"}'
      write_disk vmdk "$OUTPUT/vmdk/disk.vmdk" "$payload"
      ;;
    vhd)
      mkdir -p "$OUTPUT/vpc"
      step org.osbuild.qemu '"filename":"disk.vhd","format":{"type":"vpc"}'
      write_disk vhd "$OUTPUT/vpc/disk.vhd" "$payload"
      ;;
    gce)
      mkdir -p "$OUTPUT/gce"
      step org.osbuild.tar '"filename":"image.tar.gz","format":"oldgnu"'
      gdir=$(mktemp -d /tmp/gce.XXXXXX)
      write_disk raw "$gdir/disk.raw" "$payload"
      tar -C "$gdir" -czf "$OUTPUT/gce/image.tar.gz.partial" disk.raw
      mv -f "$OUTPUT/gce/image.tar.gz.partial" "$OUTPUT/gce/image.tar.gz"
      rm -rf "$gdir"
      ;;
    *) die "bib-standin: no disk writer for $t" ;;
    esac
  done
  stage_end
  rm -f "$payload"
}
