#!/usr/bin/env bash
# Deletes every pod, configmap, secret and lease labelled app.kubernetes.io/managed-by=agentkernel in the
# namespace of the kernel config: what a kernel that died without cleanup left behind.
#
#   scripts/cleanup_k8s.sh             # delete
#   scripts/cleanup_k8s.sh --dry-run   # only list what would be deleted
#   scripts/cleanup_k8s.sh --expired   # only the pods of kernels whose owner lease expired (safe while others run)
#
# The config is $AGENTKERNEL_CONFIG, default examples/agentkernel.yaml (its kubeconfig and namespace keys).
set -euo pipefail

# No readlink -f (macOS bash 3.2 has none): the script is run from the repository, not through a symlink.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/find-jdk.sh
source "$REPO/scripts/lib/find-jdk.sh"
JDK=$(agentkernel_find_jdk) || exit 1

DRY_RUN=()
for arg in "$@"; do
    case "$arg" in
        --dry-run) DRY_RUN+=(--dry-run) ;;
        --expired) DRY_RUN+=(--expired) ;;
        -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "cleanup_k8s.sh: unknown argument '$arg' (use --dry-run, --expired or nothing)" >&2; exit 2 ;;
    esac
done

CONFIG="${AGENTKERNEL_CONFIG:-$REPO/examples/agentkernel.yaml}"
if [[ ! -f "$CONFIG" ]]; then
    echo "cleanup_k8s.sh: kernel config $CONFIG not found; set AGENTKERNEL_CONFIG to your agentkernel.yaml" >&2
    exit 2
fi

# ClusterCleanup runs from the k8s module's classes and the dependencies Maven copies to k8s/target/lib.
K8S="$REPO/k8s/target"
if [[ ! -d "$K8S/classes/dev/agentkernel/spawn/k8s" || ! -d "$K8S/lib" ]]; then
    # shellcheck source=lib/find-maven.sh
    source "$REPO/scripts/lib/find-maven.sh"
    MVN=$(agentkernel_find_maven "$REPO") || exit 1
    echo "cleanup_k8s.sh: building the k8s module ..." >&2
    (cd "$REPO" && JAVA_HOME="$JDK" "$MVN" -q -B -f k8s/pom.xml -DskipTests package >&2)
fi

exec "$JDK/bin/java" -cp "$K8S/classes:$K8S/lib/*" dev.agentkernel.spawn.k8s.ClusterCleanup --config "$CONFIG" ${DRY_RUN[@]+"${DRY_RUN[@]}"}
