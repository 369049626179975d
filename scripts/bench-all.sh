#!/usr/bin/env bash
# Every benchmark of the project in one run, each printing its own table or BENCH lines:
#   local backend with the peer comparison (bin/agentkernel bench --peer pi), the same on the sandbox backend, sandbox vs local spawn,
#   Kubernetes test cluster, OCI packaging, AgentBus gate and reader, owner-death reaping, the Jupyter kernel (start, round trip, chunk -> iopub),
#   and the MCP server next to the notebook kernel (start -> initialize, run_helpers round trip, spawn+ask+kill through each).
#   The kernel section also times interrupt -> next ask accepted against the scripted LLM (bench_kernel.py --interrupts).
# Usage: scripts/bench-all.sh [--peer-kernel NAME]   (NAME: another installed Jupyter kernel to compare, e.g. JJava)
set -euo pipefail
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO"
# shellcheck source=lib/find-jdk.sh
source "$REPO/scripts/lib/find-jdk.sh"
JAVA_HOME=$(agentkernel_find_jdk) || exit 1
export JAVA_HOME
# shellcheck source=lib/find-maven.sh
source "$REPO/scripts/lib/find-maven.sh"
MVN=$(agentkernel_find_maven "$REPO") || exit 1
peer=""
[[ "${1:-}" == "--peer-kernel" ]] && peer="${2:?--peer-kernel needs a kernelspec name}"

section() { printf '\n## %s\n\n' "$1"; }
# Runs one benchmark test class with its switch on and prints the BENCH lines of its output.
bench_test() {
    local module=$1 test=$2; shift 2
    "$MVN" -q -B -pl "$module" test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false -Dagentkernel.bench=true "$@" </dev/null >/dev/null
    cat "$module"/target/surefire-reports/*"${test%%#*}"-output.txt 2>/dev/null | grep -E '^BENCH|^spawn->ready|^first spawn' || true
}

section "Local backend, and side by side with the Node peer (pi-coding-agent, installed with npm on first use)"
bin/agentkernel bench --peer pi 2>/dev/null

# Same sections on bubblewrap: what the sandbox, its port relay and its LLM egress proxy add. (The rss section
# is left out: under the sandbox it measures the same runner JVM, plus bwrap's own processes.)
section "Sandbox backend (isolated network: relayed port, proxied LLM)"
bin/agentkernel bench --backend sandbox --only spawn,first-token,throughput 2>/dev/null

section "Sandbox vs local spawn -> ready"
bench_test tests 'SandboxE2eTest#spawnToReady*' -Dagentkernel.sandbox.bench.rounds=15

section "Owner death -> runners gone (local)"
bench_test tests 'LifetimeE2eTest#*enchmark*'

section "AgentBus"
bench_test runner BusBenchmarkTest

section "Kubernetes test cluster"
bench_test k8s KubernetesBenchmarkTest >/dev/null
cat k8s/target/k8s-bench.md

section "OCI packaging"
bench_test oci OciBenchmarkTest >/dev/null
cat oci/target/oci-bench.txt

section "Jupyter kernel"
tmp=$(mktemp -d)
trap 'kill "${llm_pid:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
bin/agentkernel install-kernel --prefix "$tmp" >/dev/null
bin/agentkernel fake-llm --port 0 >"$tmp/llm.out" 2>&1 &
llm_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/llm.out" 2>/dev/null && break; sleep 0.1; done
llm_url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/llm.out" | head -1)
# Debian's python3-ipykernel (kernelspec python3), when installed, is measured alternately in the same run.
ipykernel_peer=()
[[ -f /usr/share/jupyter/kernels/python3/kernel.json ]] && ipykernel_peer=(--peer python3)
JUPYTER_PATH="$tmp/share/jupyter" /usr/bin/python3 helpers/jupyter/src/test/python/bench_kernel.py --kernel agentkernel --llm-url "$llm_url" "${ipykernel_peer[@]}"

# The MCP server (bin/agentkernel mcp, spoken to over stdio by the script) and the notebook kernel just installed, in one
# run: fresh starts alternating, run_helpers("1+1"), and the same spawn+ask+kill helpers block through each, AB/BA.
section "MCP server vs notebook kernel"
JUPYTER_PATH="$tmp/share/jupyter" /usr/bin/python3 helpers/mcp/src/test/python/bench_mcp.py --mcp-command "$(printf %q "$REPO/bin/agentkernel") mcp" \
    --kernel agentkernel --llm-url "$llm_url"

if [[ -n "$peer" ]]; then
    section "Jupyter kernel: $peer (peer)"
    /usr/bin/python3 helpers/jupyter/src/test/python/bench_kernel.py --kernel "$peer"
fi
