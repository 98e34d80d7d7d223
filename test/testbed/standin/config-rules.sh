# bootc-image-builder stand-in: config rules and the kickstart the installer would run (sourced by
# bootc-image-builder.sh; busybox sh). Uses $KEYS (the flattened config), $CONFIG, $TYPE, $FAMILY, $ROOTFS and has_feature.

# Config decoding is strict: a key the builder does not know ends the build. [customizations.iso] is only known to
# builders with the iso-customizations feature.
unknown_config_keys() {
  iso_ok=0
  has_feature iso-customizations && iso_ok=1
  awk -F '\t' -v iso_ok="$iso_ok" '
    function known(p,   n, s, sec) {
      n = split(p, s, ".")
      if (n == 1) return s[1] ~ /^(name|description|version|packages|modules|enabled_modules|groups|containers|customizations|distro|minimal)$/
      if (s[1] != "customizations") return 1
      sec = s[2]
      if (n == 2) {
        if (sec == "iso") return iso_ok
        return sec ~ /^(hostname|kernel|sshkey|user|group|timezone|locale|firewall|services|filesystem|disk|installation_device|partitioning_mode|fdo|openscap|ignition|directories|files|repositories|fips|installer|rpm|rhsm|cacerts|sshd|bootloader)$/
      }
      if (sec == "kernel") return n == 3 && s[3] ~ /^(name|append)$/
      if (sec == "user") return n == 3 && s[3] ~ /^(name|description|password|key|home|shell|groups|uid|gid|expiredate|force_password_reset)$/
      if (sec == "group") return n == 3 && s[3] ~ /^(name|gid)$/
      if (sec == "installer") {
        if (n == 3) return s[3] ~ /^(unattended|sudo-nopasswd|kickstart|modules)$/
        if (n == 4 && s[3] == "kickstart") return s[4] == "contents"
        if (n == 4 && s[3] == "modules") return s[4] ~ /^(enable|disable)$/
        return 0
      }
      if (sec == "iso") return iso_ok && n == 3 && s[3] ~ /^(volume_id|application_id|publisher)$/
      return 1
    }
    $1 != "" && !known($1) && !($1 in seen) { seen[$1] = 1; out = out (out == "" ? "" : " ") $1 }
    END { print out }' "$KEYS"
}

validate_config() {
  [ -n "$CONFIG" ] || return 0
  unknown=$(unknown_config_keys)
  [ -z "$unknown" ] || die "cannot load config \"$CONFIG\": unknown keys found: [$unknown]"
  if has_key customizations.installer.kickstart.contents ||
    awk -F '\t' '$1 == "customizations.installer.kickstart" && $2 ~ /contents/ { f = 1 } END { exit !f }' "$KEYS"; then
    if has_key customizations.user || has_key customizations.group; then
      die "customizations.installer.kickstart.contents cannot be used with customizations.user or customizations.group"
    fi
  fi
  if [ "$FAMILY" = disk ]; then
    validate_disk_config
    return 0
  fi
  bad=$(awk -F '\t' '
    index($1, "customizations.") == 1 {
      n = split($1, s, ".")
      if (n < 2) next
      if (s[2] == "user" || s[2] == "group" || s[2] == "installer" || s[2] == "fips" || s[2] == "iso") next
      if (s[2] == "kernel" && n == 3 && s[3] == "append") next
      if (s[2] == "kernel" && n == 2 && $2 !~ /(^|[{ ,])name[ \t]*=/) next
      name = "customizations." s[2] (s[2] == "kernel" ? ".name" : "")
      if (!(name in seen)) { seen[name] = 1; out = out (out == "" ? "" : ", ") name }
    }
    END { print out }' "$KEYS")
  if [ -n "$bad" ]; then
    die "unsupported customization for image type \"$TYPE\": $bad (ISO images support only user, group, kernel.append, installer, fips and iso)"
  fi
  # The volume id is validated whenever the section is there, also when volume_id itself is missing.
  if has_key customizations.iso; then
    vid=$(key_value customizations.iso.volume_id)
    printf '%s\n' "$vid" | grep -Eq '^[A-Za-z0-9_-]+$' || die "invalid volume id \"$vid\""
  fi
}

# Disk images take what the disk family accepts; installer settings (and the ISO label) are refused.
validate_disk_config() {
  bad=$(awk -F '\t' '
    index($1, "customizations.") == 1 {
      n = split($1, s, ".")
      if (n < 2) next
      if (s[2] ~ /^(user|group|filesystem|disk|files|directories|sshd|bootloader|ignition)$/) next
      if (s[2] == "kernel" && n == 3 && s[3] == "append") next
      if (s[2] == "kernel" && n == 2 && $2 !~ /(^|[{ ,])name[ \t]*=/) next
      name = "customizations." s[2] (s[2] == "kernel" ? ".name" : "")
      if (!(name in seen)) { seen[name] = 1; out = out (out == "" ? "" : ", ") name }
    }
    END { print out }' "$KEYS")
  if [ -n "$bad" ]; then
    die "unsupported customization for image type \"$TYPE\": $bad (disk images support only bootloader, directories, disk, files, filesystem, group, ignition, kernel.append, sshd and user)"
  fi
  validate_partitioning
}

# Values of one dotted key, quotes removed, one a line.
key_values() {
  awk -F '\t' -v p="$1" '$1 == p && $2 != "" { v = $2; sub(/^["\047]/, "", v); sub(/["\047][ \t]*,?$/, "", v); print v }' "$KEYS"
}

# The partition rules the builder applies while it generates the manifest: sizes of the image's own partitions
# (filesystem) follow its mountpoint policy, a whole partition table (disk) follows the partition rules, and the two
# cannot be combined.
validate_partitioning() {
  if has_key customizations.filesystem && has_key customizations.disk; then
    die "cannot build manifest: cannot combine disk and filesystem customizations"
  fi
  denied=''
  for mp in $(key_values customizations.filesystem.mountpoint); do
    case "$mp" in
    / | /boot) continue ;;
    esac
    if [ "${ROOTFS:-}" != btrfs ]; then
      case "$mp" in
      /var/home | /var/home/* | /var/lock | /var/lock/* | /var/mail | /var/mail/* | /var/mnt | /var/mnt/* | \
        /var/roothome | /var/roothome/* | /var/run | /var/run/* | /var/srv | /var/srv/* | /var/usrlocal | /var/usrlocal/*) ;;
      /var/*) continue ;;
      esac
    fi
    denied="$denied
path \"$mp\" is not allowed"
  done
  [ -z "$denied" ] || die "cannot build manifest: the following errors occurred while validating custom mountpoints:$denied"
  has_key customizations.disk || return 0
  for fs in $(key_values customizations.disk.partitions.fs_type) $(key_values customizations.disk.partitions.logical_volumes.fs_type); do
    case "$fs" in
    ext4 | xfs | vfat | swap | none) ;;
    *) die "cannot build manifest: error reading disk customizations: invalid partitioning customizations:
unknown or invalid filesystem type (fs_type): $fs" ;;
    esac
  done
  parts=$(awk -F '\t' '$1 == "customizations.disk.partitions.minsize" { n++ } END { print n + 0 }' "$KEYS")
  if [ "$(key_value customizations.disk.type)" = dos ] && [ "$parts" -gt 4 ]; then
    die "cannot build manifest: error reading disk customizations: invalid partitioning customizations: \"dos\" partition table type only supports up to 4 partitions: got $parts"
  fi
  lvm=$(key_values customizations.disk.partitions.type | grep -c '^lvm$' || true)
  btrfs=$(key_values customizations.disk.partitions.type | grep -c '^btrfs$' || true)
  [ "$lvm" -eq 0 ] || [ "$btrfs" -eq 0 ] || die "cannot build manifest: cannot use disk customization: btrfs and lvm partitioning cannot be combined"
  [ "$btrfs" -le 1 ] || die "cannot build manifest: cannot use disk customization: multiple btrfs volumes are not yet supported"
  [ "$lvm" -le 1 ] || die "cannot build manifest: cannot use disk customization: multiple LVM volume groups are not yet supported"
}

# The ISO label: the config's volume_id where the builder reads [customizations.iso] (not for bootc-installer).
iso_label() {
  label=$LABEL_DEFAULT
  if [ -n "$CONFIG" ] && has_key customizations.iso; then
    if [ "$TYPE" = bootc-installer ]; then
      echo "WARNING: customizations.iso is not supported for image type bootc-installer, ignoring it" >&2
    else
      label=$(key_value customizations.iso.volume_id)
    fi
  fi
  printf '%s' "$label" | cut -c1-32
}

# Users as "name<US>password<US>key<US>groups" lines; a user starts at each name key.
config_users() {
  awk -F '\t' '
    function unq(v) { sub(/^["\047]/, "", v); sub(/["\047][ \t]*$/, "", v); return v }
    function flush() { if (have) print name "\037" pw "\037" key "\037" groups; have = 0; name = pw = key = groups = "" }
    $1 == "customizations.user.name" { flush(); have = 1; name = unq($2) }
    $1 == "customizations.user.password" { pw = unq($2) }
    $1 == "customizations.user.key" { key = unq($2) }
    $1 == "customizations.user.groups" { g = $2; gsub(/[][" \t\047]/, "", g); groups = g }
    END { flush() }' "$KEYS"
}

# What the installer stores for a password: crypt(3) hashes the builder recognises stay as given; anything else is
# taken as a plain password and hashed again, so the intended password no longer works.
installed_hash() {
  case "$1" in
  '$6$'* | '$5$'* | '$2b$'*) printf '%s' "$1" ;;
  '$y$'*) if has_feature yescrypt; then printf '%s' "$1"; else mkpasswd -m sha512 -- "$1"; fi ;;
  *) mkpasswd -m sha512 -- "$1" ;;
  esac
}

# The user's kickstart from config.toml: a multi-line string, or a basic string with \n escapes (what smol-toml
# writes).
kickstart_contents() {
  awk '
    function unescape(v,   out, i, c, n) {
      out = ""
      for (i = 1; i <= length(v); i++) {
        c = substr(v, i, 1)
        if (c != "\\") { out = out c; continue }
        n = substr(v, ++i, 1)
        out = out (n == "n" ? "\n" : n == "t" ? "\t" : n)
      }
      return out
    }
    /^[ \t]*contents[ \t]*=[ \t]*"""/ { on = 1; sub(/^[^"]*"""/, ""); if ($0 == "") next }
    on && /"""/ { sub(/""".*$/, ""); if ($0 != "") print; on = 0; next }
    on { print; next }
    /^[ \t]*contents[ \t]*=[ \t]*"/ {
      v = $0; sub(/^[^"]*"/, "", v); sub(/"[ \t]*$/, "", v); printf "%s", unescape(v)
    }' "$CONFIG"
}

# The kickstart the installer runs, as the builder assembles it: the user's own kickstart as given (kernel arguments
# and the root filesystem are not added to it), otherwise one generated from the customizations.
write_kickstart() { # tree
  echo 'ostreecontainer --url=/run/install/repo/container --transport=oci --no-signature-verification' >"$1/osbuild-base.ks"
  ks=$1/osbuild.ks
  if [ -n "$CONFIG" ] && has_key customizations.installer.kickstart.contents; then
    {
      echo '%include /run/install/repo/osbuild-base.ks'
      kickstart_contents
    } >"$ks"
    return 0
  fi
  {
    echo '%include /run/install/repo/osbuild-base.ks'
    echo 'text --non-interactive'
    echo 'zerombr'
    echo 'clearpart --all --initlabel --disklabel=gpt'
    echo "part / --fstype=${ROOTFS:-ext4} --grow"
    echo 'rootpw --lock'
  } >"$ks"
  if [ -n "$CONFIG" ]; then
    config_users | while IFS="$(printf '\037')" read -r name pw key groups; do
      if [ "$name" != root ]; then
        line="user --name=$name"
        [ -z "$groups" ] || line="$line --groups=$groups"
        [ -z "$pw" ] || line="$line --password=$(installed_hash "$pw") --iscrypted"
        echo "$line"
      fi
      [ -z "$key" ] || echo "sshkey --username=$name \"$key\""
    done >>"$ks"
    append=$(awk -F '\t' '$1 == "customizations.kernel.append" { v = $2; sub(/^["\047]/, "", v); sub(/["\047][ \t]*$/, "", v); print v; exit }' "$KEYS")
    [ -z "$append" ] || echo "bootloader --append='$append'" >>"$ks"
  fi
  echo 'reboot' >>"$ks"
}
