#!/usr/bin/env bash
# Builds the runner's base image with Jib (no Docker daemon) and pushes it: a JRE base plus
# /opt/agentkernel/agentkernel-runner.jar and /opt/agentkernel/lib/, user 10001, workdir /workspace,
# entrypoint `java -cp ... dev.agentkernel.runner.RunnerMain --config /etc/agentkernel/config.json`.
#
#   scripts/build_base_image.sh [--force-base] [--from IMAGE] [--to IMAGE] [--runner-dir DIR] [--insecure]
#
#   --from IMAGE   the JRE base: a registry reference (default eclipse-temurin:21-jre, from Docker Hub) or
#                  tar:/path.tar (a `docker save` tar). Machines without Docker Hub: mirror the JRE into a local
#                  registry (e.g. skopeo copy docker://eclipse-temurin:21-jre docker://127.0.0.1:5000/temurin:21-jre
#                  on a machine that has both) and pass --from 127.0.0.1:5000/temurin:21-jre.
#   --to IMAGE     where the image goes: a registry reference (default 127.0.0.1:5000/agentkernel/runner:0.1.0)
#                  or tar:/path.tar (load it with `kind load image-archive` / `docker load`).
#   --force-base   rebuild and push even when the tag already exists (otherwise an existing tag is kept).
#   --insecure     allow plain HTTP / self-signed TLS for a registry that is not on loopback (loopback always is).
#
#   --kind [NAME]  build agentkernel/runner:0.1.0 (the base_image of examples/agentkernel.yaml) into a tar and
#                  `kind load image-archive` it into kind cluster NAME (default agentkernel).
#   --minikube     same, loaded with `minikube image load`.
#
# Credentials come from ~/.docker/config.json (docker login). Needs runner/target (mvn -q -B -pl runner package)
# and oci/target (mvn -q -B -pl oci package). See docs/packaging.md.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/find-jdk.sh
source "$REPO/scripts/lib/find-jdk.sh"
JDK="$(agentkernel_find_jdk)" || exit 1

OCI_JAR="$REPO/oci/target/agentkernel-oci.jar"
if [[ ! -f "$OCI_JAR" || ! -d "$REPO/oci/target/lib" ]]; then
    echo "build_base_image.sh: $OCI_JAR (and oci/target/lib/) missing; build it first: (cd $REPO && mvn -q -B -pl oci package -DskipTests)" >&2
    exit 2
fi

# Guava inside Jib uses sun.misc.Unsafe; JDK 24+ warns about it on every run unless allowed (the flag exists since 23).
# A string, not an array: an empty array is "unbound" under set -u in bash < 4.4 (macOS ships 3.2).
UNSAFE_FLAG=-Dagentkernel.noop=1
if (( $(agentkernel_jdk_major "$JDK") >= 23 )); then UNSAFE_FLAG=--sun-misc-unsafe-memory-access=allow; fi
build() {
    "$JDK/bin/java" "$UNSAFE_FLAG" -cp "$OCI_JAR:$REPO/oci/target/lib/*" dev.agentkernel.packaging.oci.BaseImageBuilder --runner-dir "$REPO/runner/target" "$@"
}

# One path per cluster kind: the tar holds agentkernel/runner:0.1.0, the image examples/agentkernel.yaml names,
# loaded into the nodes (imagePullPolicy IfNotPresent finds it there; no registry the nodes cannot reach).
case "${1:-}" in
    --kind|--minikube)
        KIND_OF="$1"; shift
        CLUSTER=agentkernel
        if [[ "$KIND_OF" == --kind && -n "${1:-}" && "${1:0:1}" != - ]]; then CLUSTER="$1"; shift; fi
        TAR="${TMPDIR:-/tmp}/agentkernel-runner-0.1.0.tar"
        build --to "tar:$TAR" "$@"
        if [[ "$KIND_OF" == --kind ]]; then
            kind load image-archive "$TAR" --name "$CLUSTER"
        else
            minikube image load "$TAR"
        fi
        echo "agentkernel/runner:0.1.0 is on the ${KIND_OF#--} nodes; base_image: agentkernel/runner:0.1.0 runs it"
        exit 0 ;;
esac
build "$@"
