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
# With SENTISTREAM_KAFKA_BOOTSTRAP set (CI starts a broker), the image also runs live:
# its `produce` loads the demo into a fresh topic, its `run` consumes it, its health check
# must pass against the running service, and SIGTERM must stop it cleanly.
#
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
# --force-rm: a failed step's container is removed too (the cached layers stay).
buildah bud --isolation chroot --pull=never --layers --force-rm --format docker \
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

# Live mode in the image, when CI provides a broker (SENTISTREAM_KAFKA_BOOTSTRAP) and the
# binary has `run`: the image's own `produce` loads the demo dump into a fresh topic, the
# image's `run` consumes it with the image's default config (brokers and topic swapped in),
# and the image's health check must pass while /metrics counts the consumed messages.
# chroot isolation shares the host's network, so the broker and the port are local.
live_check() {
  local bootstrap=$SENTISTREAM_KAFKA_BOOTSTRAP
  local topic="image-live-$$-$(date +%s)"
  local port cfg runner ctr2 i consumed=0 healthy=0
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$context/scripts/kafka-test-broker" topic create "$topic" 2 --bootstrap "$bootstrap" >/dev/null ||
    die "cannot create topic $topic on $bootstrap"
  run sentistream produce --brokers "$bootstrap" --topic "$topic" "$examples/deepseek_demo.ndjson" 2>/dev/null ||
    die "sentistream produce failed in the image"
  cfg=$cache/image-live.toml
  sed -e "s|kafka:9092|$bootstrap|g" -e "s|^topics = .*|topics = [\"$topic\"]|" \
    -e 's|^aggregates_topic = .*|aggregates_topic = ""|' -e 's|^dlq_topic = .*|dlq_topic = ""|' \
    -e "s|^\"group.id\" = .*|\"group.id\" = \"$topic\"|" \
    "$context/docker/sentistream.toml" >"$cfg"
  # Its own process group, so it can be stopped as a whole (buildah run and the binary).
  setsid buildah run --isolation chroot -v "$cfg:/etc/sentistream/sentistream.toml:ro" "$ctr" -- \
    sentistream run --config /etc/sentistream/sentistream.toml --metrics-listen "127.0.0.1:$port" \
    >"$cache/image-live.log" 2>&1 &
  runner=$!
  ctr2=$(buildah from --pull=never "$tag")
  for ((i = 0; i < 60; i++)); do
    sleep 1
    kill -0 "$runner" 2>/dev/null || break
    if ((!healthy)) && buildah run --isolation chroot "$ctr2" -- \
      env SENTISTREAM_METRICS_PORT="$port" /usr/local/bin/sentistream-healthcheck 2>/dev/null; then
      healthy=1
    fi
    consumed=$(python3 - "$port" <<'PY' 2>/dev/null || echo 0
import sys, urllib.request
body = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=2).read().decode()
print(sum(int(float(l.split()[-1])) for l in body.splitlines()
          if l.startswith("sentistream_messages_consumed_total")))
PY
    )
    ((healthy && consumed > 0)) && break
  done
  # SIGTERM to the service itself (buildah answers a signal by killing its child), the way
  # `docker stop` does: run must finish, checkpoint and exit 0 within its shutdown_timeout.
  local stopped=0
  pkill -TERM -s "$runner" -x sentistream 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    kill -0 "$runner" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$runner" 2>/dev/null; then
    kill -KILL -- "-$runner" 2>/dev/null || true
  elif wait "$runner"; then
    stopped=1
  fi
  buildah rm "$ctr2" >/dev/null 2>&1 || true
  "$context/scripts/kafka-test-broker" topic delete "$topic" --bootstrap "$bootstrap" >/dev/null 2>&1 || true
  ((healthy)) || die "the image's health check never passed in live mode (log: $cache/image-live.log)"
  ((consumed > 0)) || die "the image's run consumed nothing from $topic (log: $cache/image-live.log)"
  ((stopped)) || die "the image's run did not stop cleanly on SIGTERM (log: $cache/image-live.log)"
  log "in image: run consumed $consumed messages from Kafka, health check passed, SIGTERM stopped it cleanly"
}
if [[ -n ${SENTISTREAM_KAFKA_BOOTSTRAP:-} ]] && run sentistream --help | grep -qE '^[[:space:]]+run[[:space:]]'; then
  live_check
else
  log "note: live mode in the image not checked (needs SENTISTREAM_KAFKA_BOOTSTRAP and 'run')"
fi
t_check=$((SECONDS - t2))

size=$(buildah images --format '{{.Size}}' "$tag" 2>/dev/null | head -n1)
log "PASS: base ${t_base}s, build ${t_build}s, checks ${t_check}s; image $tag, ${size:-size unknown}"
