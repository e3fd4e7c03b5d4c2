#!/usr/bin/env bash
# Builds every image the pipeline runs as, here, from the repository (no registry is needed or reached):
#   localhost/mnist-pipeline/jre-base:17            Debian bookworm minbase + openjdk-17-jre-headless (debootstrap)
#   localhost/mnist-pipeline/<service>:<tags>       the four services (Dockerfile.jvm), tags from deploy/'s kustomizations
#   localhost/mnist-pipeline/kafka:<kafka.version>  Apache Kafka, KRaft (Dockerfile.kafka)
#   localhost/mnist-pipeline/s3:<s3proxy.version>   S3Proxy with the pipeline's conditional writes and keys (Dockerfile.s3)
# An image whose inputs (its Dockerfile, the files it copies, its base) are unchanged is reused: each image carries
# the hash of its inputs in the label dev.mnistpipeline.inputs. Prints each image's size and what was (re)built.
#
# Usage: ./pipeline images   (or deploy/images/build-images.sh after ./mvnw -DskipTests install)
#        deploy/images/build-images.sh --base-only   the JRE base alone (CI makes it before the Maven build)
# Environment:
#   CONTAINER_ENGINE  podman (default when installed) or docker
#   BASE_IMAGE        a JRE 17 image with /bin/sh to build on instead of the debootstrap one
#   DEBIAN_MIRROR     where debootstrap fetches from [the Debian mirror apt already uses]
set -euo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  ""|--base-only) ;;
  *) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
images=deploy/images

engine="${CONTAINER_ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}"
command -v "$engine" >/dev/null || { echo "No container engine: install podman and runc (apt-get install podman runc) or Docker" >&2; exit 2; }
if [ "$engine" = podman ]; then
  export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/$images/containers.conf}"
fi

label=dev.mnistpipeline.inputs
built=()

inputs_of() { # the stored input hash of an image, or nothing
  "$engine" image inspect --format "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null || true
}

hash_files() { # content hash of files and directories (paths, sizes and bytes)
  find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
}

pom_property() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1
}

kustomize_tags() { # the tags deploy/ references for a service image
  for k in deploy/base/kustomization.yaml deploy/overlays/local/kustomization.yaml; do
    grep -A1 "name: mnist-pipeline/$1\$" "$k" | sed -n 's/.*newTag: *"\{0,1\}\([^"]*\)"\{0,1\}/\1/p'
  done | sort -u
}

require() {
  for f in "$@"; do
    [ -e "$f" ] || { echo "$f is missing: run ./mvnw -DskipTests install first (./pipeline images does)" >&2; exit 2; }
  done
}

ensure_base() { # sets $base
  if [ -n "${BASE_IMAGE:-}" ]; then
    base=$BASE_IMAGE
    return
  fi
  local name=localhost/mnist-pipeline/jre-base:17
  # The recipe is the input: suite, variant, packages and the cleanup below.
  local recipe="bookworm minbase openjdk-17-jre-headless user185 v1"
  local want
  want=$(echo "$recipe" | sha256sum | cut -c1-16)
  base=$name
  if [ "$(inputs_of "$name")" = "$want" ]; then
    return
  fi
  command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap (or set BASE_IMAGE)" >&2; exit 2; }
  [ "$(id -u)" -eq 0 ] || { echo "building the base image needs root (debootstrap); or set BASE_IMAGE to a JRE 17 image" >&2; exit 2; }
  local mirror="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}"
  mirror="${mirror:-$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)}"
  mirror="${mirror:-http://deb.debian.org/debian}"
  local dir started
  dir=$(mktemp -d)
  started=$(date +%s)
  echo "Building $name: debootstrap bookworm from $mirror (a few minutes, once) ..." >&2
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$dir/rootfs" "$mirror" >"$dir/debootstrap.log" 2>&1 \
    || { tail -20 "$dir/debootstrap.log" >&2; rm -rf "$dir"; exit 1; }
  # What a JRE at runtime never reads: package caches and indexes, docs, manuals, translations.
  rm -rf "$dir"/rootfs/var/cache/apt/archives/*.deb "$dir"/rootfs/var/lib/apt/lists/* \
    "$dir"/rootfs/usr/share/doc/* "$dir"/rootfs/usr/share/man/* "$dir"/rootfs/usr/share/locale/* "$dir"/rootfs/usr/share/info/*
  # The user the manifests run as (runAsUser 185), group root as OpenShift expects; its home is never written.
  echo "pipeline:x:185:0:mnist-pipeline:/deployments:/usr/sbin/nologin" >>"$dir/rootfs/etc/passwd"
  tar -C "$dir/rootfs" -c . | "$engine" import --change "LABEL $label=$want" --change "ENV LANG=C.UTF-8" - "$name" >/dev/null
  rm -rf "$dir"
  echo "  $name built in $(( $(date +%s) - started )) s" >&2
  built+=("$name")
}

build() { # build <dockerfile> <hash> <name:tag> [more tags] -- [build args]
  local dockerfile=$1 want=$2 name=$3
  shift 3
  local tags=("$name")
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do tags+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  if [ "$(inputs_of "$name")" != "$want" ]; then
    local args=()
    for t in "${tags[@]}"; do args+=(-t "$t"); done
    "$engine" build -q -f "$dockerfile" --label "$label=$want" --build-arg "BASE_IMAGE=$base" "${args[@]}" "$@" . >/dev/null
    built+=("$name")
  else
    for t in "${tags[@]:1}"; do "$engine" tag "$name" "$t"; done
  fi
}

started=$(date +%s)
ensure_base
if [ "${1:-}" = "--base-only" ]; then
  echo "Base image $base (built now: ${built[*]:-no, reused}; $(( $(date +%s) - started )) s)"
  exit 0
fi
base_id=$("$engine" image inspect --format '{{.Id}}' "$base")

for service in ingest-service preprocess-service trainer-service evaluator-service; do
  require "$service/target/quarkus-app/quarkus-run.jar"
  mapfile -t tags < <(kustomize_tags "$service")
  [ ${#tags[@]} -gt 0 ] || { echo "no tag for mnist-pipeline/$service in deploy/'s kustomizations" >&2; exit 2; }
  names=()
  for t in "${tags[@]}"; do names+=("localhost/mnist-pipeline/$service:$t"); done
  h=$(echo "$base_id $(hash_files $images/Dockerfile.jvm "$service/target/quarkus-app")" | sha256sum | cut -c1-16)
  build $images/Dockerfile.jvm "$h" "${names[@]}" -- --build-arg "SERVICE=$service"
done

kafka_version=$(pom_property kafka.version)
require $images/target/kafka-libs/kafka_2.13-"$kafka_version".jar
h=$(echo "$base_id $(hash_files $images/Dockerfile.kafka $images/kafka $images/target/kafka-libs)" | sha256sum | cut -c1-16)
build $images/Dockerfile.kafka "$h" "localhost/mnist-pipeline/kafka:$kafka_version"

require pipeline-stack/target/pipeline-stack.jar pipeline-stack/target/lib
h=$(echo "$base_id $(hash_files $images/Dockerfile.s3 pipeline-stack/target/pipeline-stack.jar pipeline-stack/target/lib)" | sha256sum | cut -c1-16)
build $images/Dockerfile.s3 "$h" "localhost/mnist-pipeline/s3:$(pom_property s3proxy.version)"

# A rebuilt image leaves its predecessor untagged: remove those of ours, never anything else.
"$engine" image prune -f --filter "label=$label" >/dev/null 2>&1 || true
echo "Images ($engine; built now: ${built[*]:-none, all reused}; $(( $(date +%s) - started )) s):"
"$engine" images --filter "reference=localhost/mnist-pipeline/*" --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | sort
echo "The GPU trainer image (Dockerfile.trainer-gpu) needs its CUDA base image from a registry: not built here."
