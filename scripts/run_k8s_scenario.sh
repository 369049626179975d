#!/usr/bin/env bash
# Runs one of the seed's examples on the Kubernetes backend:
#
#   scripts/run_k8s_scenario.sh simple_agent
#   scripts/run_k8s_scenario.sh team_scenario
#
# The kernel config is $AGENTKERNEL_CONFIG, default examples/agentkernel.yaml (backend: kubernetes, its
# kubeconfig, namespace and base_image). Without LLM_API_KEY the example starts the built-in scripted LLM on
# this machine's loopback, which pods in a real cluster cannot reach: export LLM_API_KEY for a real cluster.
# docs/kubernetes.md says how to prepare a cluster (kind, minikube). In CI the same examples run against the
# test cluster (mock API server + process kubelet): mvn -pl k8s test -Dtest=ExamplesOnKubernetesTest
set -euo pipefail

# No readlink -f (macOS bash 3.2 has none): the script is run from the repository, not through a symlink.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in
    simple_agent|team_scenario) NAME="$1" ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: run_k8s_scenario.sh simple_agent|team_scenario" >&2; exit 2 ;;
esac
CONFIG="${AGENTKERNEL_CONFIG:-$REPO/examples/agentkernel.yaml}"
if [[ ! -f "$CONFIG" ]]; then
    echo "run_k8s_scenario.sh: kernel config $CONFIG not found; set AGENTKERNEL_CONFIG to your agentkernel.yaml" >&2
    exit 2
fi

# The RBAC of k8s/deploy/rbac.yaml, applied when its Role is missing in the config's namespace (needs kubectl and
# the right to create Roles there; skipped without kubectl, e.g. against the test cluster).
ensure_rbac() {
    local ns
    command -v kubectl >/dev/null 2>&1 || return 0
    ns=$(sed -n 's/^namespace:[[:space:]]*\([^[:space:]#]*\).*/\1/p' "$CONFIG" | head -n 1)
    ns="${ns:-default}"
    if ! kubectl -n "$ns" get role agentkernel-kernel >/dev/null 2>&1; then
        echo "run_k8s_scenario.sh: applying k8s/deploy/rbac.yaml in namespace $ns" >&2
        kubectl -n "$ns" apply -f "$REPO/k8s/deploy/rbac.yaml" >&2
    fi
}
if [[ "${AGENTKERNEL_SKIP_RBAC:-}" != 1 ]]; then ensure_rbac; fi

CLI_JAR="$REPO/cli/target/agentkernel-cli.jar"
# bin/agentkernel builds what is missing; when its jar already carries the Kubernetes backend, use it as is.
if [[ -f "$CLI_JAR" ]] && unzip -p "$CLI_JAR" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r\n ' | grep -q 'agentkernel-k8s'; then
    exec "$REPO/bin/agentkernel" example "$NAME" --config "$CONFIG"
fi

# The CLI does not bundle the Kubernetes backend (yet): run the same CLI with the k8s module on its classpath.
# shellcheck source=lib/find-jdk.sh
source "$REPO/scripts/lib/find-jdk.sh"
JDK=$(agentkernel_find_jdk) || exit 1
if [[ ! -f "$CLI_JAR" ]]; then
    "$REPO/bin/agentkernel" --version >/dev/null   # builds the CLI and runner jars
fi
K8S="$REPO/k8s/target"
if [[ ! -d "$K8S/classes/dev/agentkernel/spawn/k8s" || ! -d "$K8S/lib" ]]; then
    echo "run_k8s_scenario.sh: building the k8s module ..." >&2
    # shellcheck source=lib/find-maven.sh
    source "$REPO/scripts/lib/find-maven.sh"
    MVN=$(agentkernel_find_maven "$REPO") || exit 1
    (cd "$REPO" && JAVA_HOME="$JDK" "$MVN" -q -B -f k8s/pom.xml -DskipTests package >&2)
fi
export AGENTKERNEL_RUNNER_JAR="${AGENTKERNEL_RUNNER_JAR:-$REPO/runner/target/agentkernel-runner.jar}"
exec "$JDK/bin/java" -cp "$CLI_JAR:$K8S/classes:$K8S/lib/*" dev.agentkernel.cli.Main example "$NAME" --config "$CONFIG"
