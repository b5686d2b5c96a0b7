#!/usr/bin/env bash
# Builds the sentistream image from docker/Dockerfile with buildah (no Docker engine
# needed) and proves it works: `sentistream --version`, then a replay of the example dump
# inside the image whose output must equal tests/golden/expected/deepseek_demo.jsonl byte
# for byte, and the image's runtime settings (non-root user, entrypoint, health check).
#
# The Dockerfile's base images (debian:bookworm, debian:bookworm-slim) are made locally
# with debootstrap from the Debian mirror apt already uses, so no container registry is
# contacted. Caches, all outside the repository, make a re-run fast:
#   - the debootstrap rootfs tarball: ${XDG_CACHE_HOME:-$HOME/.cache}/sentistream/
#   - buildah's image storage (--layers keeps every build step as a cached layer)
#   - the ccache cache mount used by the Dockerfile's compile step
#
#   tests/docker/build_image.sh            build (cached), then check the image
#   SENTISTREAM_IMAGE_TAG=... tests/docker/build_image.sh
#   SENTISTREAM_IMAGE_CONTEXT=DIR tests/docker/build_image.sh   build another tree (e.g. a
#       `git archive` export while the work tree is mid-edit); its own golden file is used
#
# Needs root (buildah with chroot isolation) and buildah + debootstrap (scripts/setup).
# Exit codes: 0 pass, 1 failure, 77 skipped (not root).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/sentistream
tarball=$cache/bookworm-minbase.tar
tag=${SENTISTREAM_IMAGE_TAG:-localhost/sentistream:test}
context=$(cd "${SENTISTREAM_IMAGE_CONTEXT:-$repo}" && pwd)
base=docker.io/library/debian

log() { printf '[build_image %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() {
  log "FAIL: $*"
  exit 1
}

if [[ $(id -u) -ne 0 ]]; then
  log "skipped: buildah with chroot isolation needs root here"
  exit 77
fi
for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup"
done

# overlay is much faster than vfs (vfs copies the whole tree for every layer); fall back
# to vfs where the kernel has no overlayfs. An existing storage keeps its driver.
if [[ -z ${STORAGE_DRIVER:-} ]]; then
  if grep -qw overlay /proc/filesystems; then
    export STORAGE_DRIVER=overlay
  else
    export STORAGE_DRIVER=vfs
  fi
fi
export BUILDAH_ISOLATION=chroot

# The first Debian archive (not the security one) named in apt's sources, one-line or
# deb822 format. Read at run time so no mirror is written into the repository.
debian_mirror() {
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  local f
  for f in "${files[@]}"; do
    [[ -r $f ]] || continue
    awk '
      /^[[:space:]]*deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; break } }
      /^URIs:/ { for (i = 2; i <= NF; i++) print $i }
    ' "$f"
  done | grep -v -- '-security' | grep -E '/debian/?$' | head -n1
}

make_base_images() {
  if buildah inspect --type image "$base:bookworm" >/dev/null 2>&1 &&
    buildah inspect --type image "$base:bookworm-slim" >/dev/null 2>&1; then
    log "base images present in buildah storage"
    return
  fi
  if [[ ! -s $tarball ]]; then
    local mirror
    mirror=${SENTISTREAM_DEBIAN_MIRROR:-$(debian_mirror)}
    [[ -n $mirror ]] || die "no Debian mirror found in /etc/apt/sources.list*; set SENTISTREAM_DEBIAN_MIRROR"
    log "debootstrap --variant=minbase bookworm from $mirror"
    mkdir -p "$cache"
    local root
    root=$(mktemp -d "$cache/rootfs.XXXXXX")
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
      die "debootstrap failed, see $cache/debootstrap.log"
    # Package caches are dead weight in a base image (images run apt-get update first).
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" --numeric-owner -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$root"
  fi
  log "importing $tarball as $base:bookworm and $base:bookworm-slim"
  local ctr
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$tarball" / >/dev/null
  buildah config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --os linux --arch "$(dpkg --print-architecture)" "$ctr"
  buildah commit --quiet --rm "$ctr" "$base:bookworm" >/dev/null
  # One minbase rootfs serves both tags: it is already about the size of the real -slim.
  buildah tag "$base:bookworm" "$base:bookworm-slim"
}

t0=$SECONDS
make_base_images
t_base=$((SECONDS - t0))

log "buildah bud (storage $STORAGE_DRIVER, isolation chroot) -> $tag"
t1=$SECONDS
buildah bud --isolation chroot --pull=never --layers --format docker \
  -f "$context/docker/Dockerfile" -t "$tag" "$context" ||
  die "image build failed"
t_build=$((SECONDS - t1))

# ---- checks on the built image ----------------------------------------------------------
t2=$SECONDS
ctr=$(buildah from --pull=never "$tag")
cleanup() { buildah rm "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# (buildah 1.28's --format templates have no json function: parse the whole document.)
buildah inspect --type image "$tag" >"$cache/image-inspect.json"
python3 - "$cache/image-inspect.json" <<'PY' || die "image configuration"
import json, sys
with open(sys.argv[1]) as f:
    c = json.load(f)["Docker"]["config"]
problems = []
if c.get("Entrypoint") != ["sentistream"]:
    problems.append(f"entrypoint {c.get('Entrypoint')!r}, expected ['sentistream']")
cmd = c.get("Cmd") or []
if cmd[:3] != ["run", "--config", "/etc/sentistream/sentistream.toml"]:
    problems.append(f"cmd {cmd!r} does not start with run --config /etc/sentistream/sentistream.toml")
if c.get("User") in (None, "", "root", "0"):
    problems.append(f"runs as root (User={c.get('User')!r})")
health = (c.get("Healthcheck") or {}).get("Test") or []
if "/usr/local/bin/sentistream-healthcheck" not in health:
    problems.append(f"health check {health!r} does not run sentistream-healthcheck")
for p in problems:
    print("image config:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

run() { buildah run --isolation chroot "$ctr" -- "$@"; }

user=$(run id -un) || die "cannot run a command in the image"
[[ $user == sentistream ]] || die "commands run as '$user', expected sentistream"
version=$(run sentistream --version) || die "sentistream --version failed in the image"
log "in image: $version (user $user)"

# The runtime image must hold every library the binary needs: a replay of the demo dump
# exercises parsing, scoring, windowing and the sinks, and its bytes are the golden file's.
examples=/usr/share/sentistream/examples
run sentistream replay --quiet --config "$examples/sentistream.toml" "$examples/deepseek_demo.ndjson" \
  >"$cache/image-replay.jsonl" || die "replay of the example dump failed in the image"
golden=$context/tests/golden/expected/deepseek_demo.jsonl
if ! cmp -s "$cache/image-replay.jsonl" "$golden"; then
  diff <(head -c 2000 "$cache/image-replay.jsonl") <(head -c 2000 "$golden") >&2 || true
  die "replay output in the image differs from tests/golden/expected/deepseek_demo.jsonl"
fi
log "in image: replay of the example dump matches the golden output ($(wc -l <"$cache/image-replay.jsonl") windows)"

# The default config must be valid for the binary it ships with. It configures live mode,
# so it can only be judged by a binary that has `run` (and its [kafka] options).
# (`sentistream run --help` prints the top-level help when `run` is missing: look for it
# in the subcommand list instead.)
if run sentistream --help | grep -qE '^[[:space:]]+run[[:space:]]'; then
  run sentistream validate --config /etc/sentistream/sentistream.toml >/dev/null ||
    die "sentistream validate rejects the image's /etc/sentistream/sentistream.toml"
  log "in image: /etc/sentistream/sentistream.toml validates"
else
  log "note: this binary has no 'run' yet; /etc/sentistream/sentistream.toml not validated"
fi
t_check=$((SECONDS - t2))

size=$(buildah images --format '{{.Size}}' "$tag" 2>/dev/null | head -n1)
log "PASS: base ${t_base}s, build ${t_build}s, checks ${t_check}s; image $tag, ${size:-size unknown}"
