# shellcheck shell=sh
# Sourced by the stand-in when its image has the test bed's boot kit (/usr/lib/bib-standin/boot: isolinux, a kernel
# and busybox "installers"): makes the ISO bootable, so the boot test can boot it. Like anaconda, the installer
# follows the kickstart's completion command: with poweroff or shutdown it writes a bootable system to the first
# disk and powers the machine off (a "# bib-standin: unbootable-disk" line makes it write a disk that does not
# boot); otherwise it starts and waits, as an installer waiting for its user does.

BOOT_KIT=${BIB_STANDIN_LIB:-/usr/lib/bib-standin}/boot

# The kickstart's completion command: poweroff (poweroff or shutdown), reboot, halt, or nothing. Lines inside
# %sections are scripts or package lists, not commands; of several, the last counts.
ks_completion() { # kickstart
  awk '
    { line = $0; sub(/^[ \t]+/, "", line); split(line, w, /[ \t]+/); word = w[1] }
    line == "" || substr(line, 1, 1) == "#" { next }
    insection { if (word == "%end") insection = 0; next }
    substr(word, 1, 1) == "%" { insection = (word != "%include" && word != "%ksappend"); next }
    word == "poweroff" || word == "shutdown" { c = "poweroff" }
    word == "reboot" { c = "reboot" }
    word == "halt" { c = "halt" }
    END { print c }' "$1"
}

# Adds isolinux, the kernel and the installer to the tree; prints the xorriso arguments that make it boot.
make_iso_bootable() { # tree
  outcome=hangs
  if [ "$(ks_completion "$1/osbuild.ks")" = poweroff ]; then
    outcome=installs
    if grep -q '^# bib-standin: unbootable-disk' "$1/osbuild.ks"; then outcome=unbootable-disk; fi
  fi
  log_info "bib-standin: bootable ISO, installer outcome $outcome"
  mkdir -p "$1/isolinux" "$1/images/pxeboot"
  cp "$BOOT_KIT/isolinux.bin" "$BOOT_KIT/ldlinux.c32" "$1/isolinux/"
  cp "$BOOT_KIT/vmlinuz" "$1/images/pxeboot/vmlinuz"
  cp "$BOOT_KIT/initrd-$outcome.img" "$1/images/pxeboot/initrd.img"
  cat >"$1/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /images/pxeboot/vmlinuz
  APPEND initrd=/images/pxeboot/initrd.img inst.ks=hd:LABEL=$LABEL:/osbuild.ks console=ttyS0,115200 panic=-1 mitigations=off
CFG
  echo '-b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table'
}
