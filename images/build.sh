#!/bin/bash
# make image: builds the guest images from Debian packages, once per set of inputs.
#   images/build.sh [small|debian|all]...   (default: all)
# Each image is built into $INFRA_IMAGE_CACHE/<name>-<hash> (default /var/cache/infra-images), where
# the hash covers the build scripts and the versions of the Debian packages they take, so editing a
# script or a Debian update rebuilds it and nothing else does. The finished image is then copied to
# $INFRA_IMAGE_OUT (default out/images in the repository), unless the copy there is already that one.
# The last lines printed are the images' paths. Parallel callers serialise on a lock per image.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
CACHE=${INFRA_IMAGE_CACHE:-/var/cache/infra-images}
OUT=${INFRA_IMAGE_OUT:-$(cd "$IMAGES_DIR/.." && pwd)/out/images}
[ "$(id -u)" = 0 ] || die "building images needs root (apt-get download, file owners in the image); run: sudo make image"

names=("$@"); [ ${#names[@]} -gt 0 ] || names=(all)
[ "${names[*]}" = all ] && names=(small debian)
for n in "${names[@]}"; do [ -x "$IMAGES_DIR/$n/build.sh" ] || die "unknown image '$n': choose small, debian or all"; done

built=()
for n in "${names[@]}"; do
  t=$SECONDS
  mkdir -p "$CACHE" "$OUT"
  key=$("$IMAGES_DIR/$n/build.sh" key)
  dir=$CACHE/$n-$key file=infra-$n.qcow2
  exec 9>"$CACHE/$n.lock"
  flock -n 9 || { say "$n: another build of this image is running; waiting for it"; flock 9; }
  if [ -f "$dir/$file" ]; then
    say "$n: cached ($dir, inputs $key)"
  else
    say "$n: building (inputs $key) into $dir"
    rm -rf "$dir.tmp"
    DEBS=$CACHE/debs "$IMAGES_DIR/$n/build.sh" build "$dir.tmp"
    echo "$key" > "$dir.tmp/inputs"
    rm -rf "$dir"; mv "$dir.tmp" "$dir"
    # Debian replaced some packages since an earlier build: keep only the newest .deb of each.
    ls "$CACHE/debs" | sed -n 's/_.*\.deb$//p' | sort | uniq -d | while read -r p; do
      ls -t "$CACHE/debs/${p}_"*.deb | tail -n +2 | xargs -r rm -f; done
    # Older builds of this image are superseded; keep only the newest few.
    ls -dt "$CACHE/$n"-* 2>/dev/null | grep -v '\.tmp$' | tail -n +4 | xargs -r rm -rf
    say "$n: built in $((SECONDS - t)) s"
  fi
  if [ "$(cat "$OUT/$file.inputs" 2>/dev/null)" != "$key" ] || [ ! -f "$OUT/$file" ]; then
    cp --sparse=always "$dir/$file" "$OUT/$file.tmp" && mv "$OUT/$file.tmp" "$OUT/$file"
    echo "$key" > "$OUT/$file.inputs"
    say "$n: copied to $OUT/$file"
  fi
  exec 9>&-
  built+=("$OUT/$file")
done
printf '%s\n' "${built[@]}"
