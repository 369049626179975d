#!/usr/bin/env bash
# Runs every test: installs the Debian packages the tests need (when root),
# builds and verifies all modules with a JDK 21+, then checks no agent process
# outlived the suite. Exits non-zero on any failure.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$REPO"
# shellcheck source=lib/find-jdk.sh
source "$REPO/scripts/lib/find-jdk.sh"
# shellcheck source=lib/find-maven.sh
source "$REPO/scripts/lib/find-maven.sh"

JDK=$(agentkernel_find_jdk) || exit 1
echo "test.sh: using JDK $JDK"

# The Jupyter tests drive our kernel through the real jupyter client stack; the sandbox backend runs
# runners under bubblewrap; the packaging tests push images to a real registry and read them with skopeo.
# jupyter-nbconvert: the README's `jupyter nbconvert --execute`; jupyter-notebook, chromium, chromium-driver and
# python3-selenium: the browser test (BrowserNotebookTest); python3-pexpect: the jupyter console test;
# python3-ipykernel: the benchmark's peer kernel.
DEB_PACKAGES=(python3-jupyter-client python3-nbclient python3-jupyter-kernel-test jupyter-console
              jupyter-nbconvert jupyter-notebook chromium chromium-driver python3-selenium python3-pexpect
              python3-ipykernel bubblewrap docker-registry skopeo)

install_debian_packages() {
    command -v dpkg >/dev/null 2>&1 || { echo "test.sh: not a Debian system; skipping package install"; return 0; }
    local missing=() pkg
    for pkg in "${DEB_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    (( ${#missing[@]} == 0 )) && return 0
    if [[ $(id -u) -ne 0 ]]; then
        echo "test.sh: missing ${missing[*]}; not root, so not installing them (notebook tests may skip or fail)." >&2
        echo "  install with: sudo apt-get install -y ${missing[*]}" >&2
        return 0
    fi
    echo "test.sh: installing ${missing[*]}"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null; }; then
        echo "test.sh: apt-get could not install ${missing[*]}; continuing (notebook tests may skip or fail)." >&2
    fi
}

# The mvn on PATH when it is new enough, else the Maven Wrapper (./mvnw), which fetches Maven on first use.
MVN=$(JAVA_HOME="$JDK" agentkernel_find_maven "$REPO") || exit 1
echo "test.sh: using Maven $MVN"

install_debian_packages

# The official MCP inspector CLI (npm), for McpInspectorIT: a client of bin/agentkernel mcp that nobody here wrote.
# Installed once into a cache dir; without npm the test skips and says so.
install_mcp_inspector() {
    command -v npm >/dev/null 2>&1 || { echo "test.sh: npm not found; McpInspectorIT will be skipped (apt-get install npm)"; return 0; }
    local cache="${AGENTKERNEL_NPM_CACHE:-$HOME/.cache/agentkernel/npm}"
    if [[ ! -x "$cache/node_modules/.bin/mcp-inspector" ]]; then
        echo "test.sh: installing @modelcontextprotocol/inspector into $cache"
        mkdir -p "$cache"
        npm install --no-audit --no-fund --prefix "$cache" @modelcontextprotocol/inspector </dev/null >&2 \
            || { echo "test.sh: npm could not install the MCP inspector; McpInspectorIT falls back to npx" >&2; return 0; }
    fi
    export AGENTKERNEL_MCP_INSPECTOR="$cache/node_modules/.bin/mcp-inspector"
}
install_mcp_inspector

# Marks the start of this run, so only this run's test reports are shown on failure.
started_marker=$(mktemp "${TMPDIR:-/tmp}/agentkernel-test-started.XXXXXX")
trap 'rm -f "$started_marker"' EXIT

runner_pids() { pgrep -f dev.agentkernel.runner.RunnerMain || true; }
before=$(runner_pids)

status=0
# install, not verify: the consumer project (examples/consumer, ConsumerProjectIT) is built from the artifacts
# this run puts in the local repository, the way a user's project meets them.
JAVA_HOME="$JDK" "$MVN" -B install -Dsurefire.printSummary=true -Dagentkernel.consumer.required=true -Dagentkernel.mvn="$MVN" "$@" </dev/null || status=$?

# Any runner not there before the suite was started by it and not cleaned up.
leaked=()
for pid in $(runner_pids); do
    grep -qx "$pid" <<<"$before" || leaked+=("$pid")
done
if (( ${#leaked[@]} > 0 )); then
    echo "test.sh: FAIL: ${#leaked[@]} runner process(es) survived the test suite:" >&2
    ps -o pid=,etime=,args= -p "$(IFS=,; echo "${leaked[*]}")" >&2 || true
    status=1
fi

# Test output goes to files (redirectTestOutputToFile); show it for the classes that failed.
if (( status != 0 )); then
    while IFS= read -r report; do
        output="${report%/TEST-*}/$(basename "${report#*/TEST-}" .xml)-output.txt"
        [[ -f "$output" ]] || continue
        echo "----- last lines of $output -----" >&2
        tail -n 40 "$output" >&2
    done < <(find . -path ./.git -prune -o -path '*/target/surefire-reports/TEST-*.xml' -newer "$started_marker" \
                 -exec grep -l -E '<(failure|error)[ >]' {} + 2>/dev/null || true)
fi

if (( status == 0 )); then
    echo "test.sh: all tests passed"
else
    echo "test.sh: FAILED (exit $status)" >&2
fi
exit "$status"
