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

JVM_FLAGS=()
# Guava inside Jib uses sun.misc.Unsafe; JDK 24+ warns about it on every run unless allowed (the flag exists since 23).
if (( $(agentkernel_jdk_major "$JDK") >= 23 )); then JVM_FLAGS+=(--sun-misc-unsafe-memory-access=allow); fi
exec "$JDK/bin/java" "${JVM_FLAGS[@]}" -cp "$OCI_JAR:$REPO/oci/target/lib/*" dev.agentkernel.packaging.oci.BaseImageBuilder --runner-dir "$REPO/runner/target" "$@"
