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

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
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
    (cd "$REPO" && JAVA_HOME="$JDK" mvn -q -B -f k8s/pom.xml -DskipTests package >&2)
fi
export AGENTKERNEL_RUNNER_JAR="${AGENTKERNEL_RUNNER_JAR:-$REPO/runner/target/agentkernel-runner.jar}"
exec "$JDK/bin/java" -cp "$CLI_JAR:$K8S/classes:$K8S/lib/*" dev.agentkernel.cli.Main example "$NAME" --config "$CONFIG"
