#!/usr/bin/env bash
# Build a local stand-in for python:3.11-slim, for machines that cannot pull from a registry.
#
# What it builds: a Debian 12 (bookworm) "minbase" root file system made with debootstrap,
# plus Debian's own Python 3.11 (python3, python3-venv, python3-pip, python-is-python3) and the
# few files python:3.11-slim also carries (ca-certificates, netbase, tzdata). The tree is
# imported with `podman import` as the image named below, with PATH, LANG and CMD set the way
# the official image sets them. Build the project's image on it with
#   podman build --build-arg BASE=<that image> ...
#
# Caching: the image is labelled with a hash of this recipe. If podman already holds an image
# of that name and label, nothing is done. Otherwise the root file system tarball kept in
# $WHOSAID_CACHE (default ~/.cache/whosaid) is imported if present, and debootstrap runs only
# when neither exists. Needs root, debootstrap and podman (Debian: apt-get install podman
# buildah runc debootstrap).
#
# Environment:
#   WHOSAID_BASE_IMAGE  image name to create (default localhost/whosaid-base:bookworm-py3.11)
#   DEBIAN_MIRROR       Debian mirror (default: the first URI of apt's configured sources)
#   WHOSAID_CACHE       cache folder for the root file system tarball
#
# Prints the image name on its last line of standard output.
set -euo pipefail

image="${WHOSAID_BASE_IMAGE:-localhost/whosaid-base:bookworm-py3.11}"
suite="bookworm"
packages="python3,python3-venv,python3-pip,python-is-python3,ca-certificates,netbase,tzdata"
cache_dir="${WHOSAID_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/whosaid}"

log() { printf 'base-image: %s\n' "$*" >&2; }

default_mirror() {
    # apt's deb822 sources first, then a classic sources.list line, then Debian's own default.
    local uri=""
    if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
        uri="$(awk '/^URIs:/ && /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources)"
    fi
    if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
        uri="$(awk '$1 == "deb" && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list)"
    fi
    printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

mirror="${DEBIAN_MIRROR:-$(default_mirror)}"
# The recipe: change any of these and the cached image and tarball are rebuilt.
key="$(printf '%s\n' "recipe-1" "$suite" "$packages" | sha256sum | cut -c1-16)"
tarball="$cache_dir/debian-$suite-minbase-python3-$key.tar"

for tool in podman debootstrap; do
    if ! command -v "$tool" >/dev/null; then
        log "$tool is missing; on Debian: apt-get install podman buildah runc debootstrap"
        exit 1
    fi
done

if [[ "$(podman image inspect --format '{{ index .Labels "whosaid.base.recipe" }}' "$image" 2>/dev/null || true)" == "$key" ]]; then
    log "cached: $image (recipe $key)"
    printf '%s\n' "$image"
    exit 0
fi

mkdir -p "$cache_dir"
if [[ ! -s "$tarball" ]]; then
    if [[ "$(id -u)" != 0 ]]; then
        log "debootstrap needs root"
        exit 1
    fi
    rootfs="$(mktemp -d "$cache_dir/rootfs.XXXXXX")"
    trap 'rm -rf "$rootfs" "$tarball.part"' EXIT
    log "debootstrap --variant=minbase $suite from $mirror, with $packages"
    debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >&2
    # Same trimming the official slim images do: no package lists, caches or logs.
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/* \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/tmp/*
    tar --numeric-owner --xattrs -C "$rootfs" -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"
    trap - EXIT
else
    log "reusing $tarball"
fi

log "podman import -> $image"
podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL whosaid.base.recipe=$key" \
    --change "LABEL org.opencontainers.image.description=Debian $suite minbase with Debian's Python 3.11 (local stand-in for python:3.11-slim)" \
    --change 'CMD ["python3"]' \
    "$tarball" "$image" >&2
printf '%s\n' "$image"
