#!/usr/bin/env bash
# Finds a Maven to build with, so that the README's two commands need no Maven installed beforehand.
#
# Order: $AGENTKERNEL_MVN, then the `mvn` on PATH when it is $AGENTKERNEL_MIN_MAVEN (default 3.6.3, what the
# build's plugins need) or newer, else the Maven Wrapper shipped in the repository (`mvnw`: the Maven version
# pinned in .mvn/wrapper/maven-wrapper.properties, fetched from Maven Central on first use into
# ~/.m2/wrapper).
#
# Source it and call `agentkernel_find_maven REPO` (prints the command, returns 1 with a message on stderr when
# there is none), or run it with REPO as the argument.

agentkernel_maven_version_ok() {
    # True when "mvn -v" of $1 prints a version >= $AGENTKERNEL_MIN_MAVEN.
    local version min="${AGENTKERNEL_MIN_MAVEN:-3.6.3}"
    # Maven 3.8 prints its banner in bold even into a pipe: drop the escape sequences before reading it.
    version=$("$1" -B -v 2>/dev/null </dev/null | sed 's/\x1b\[[0-9;]*m//g' | sed -n 's/^Apache Maven \([0-9][0-9.]*\).*/\1/p' | head -n 1)
    [[ -n "$version" ]] || return 1
    [[ "$(printf '%s\n%s\n' "$min" "$version" | sort -V | head -n 1)" == "$min" ]]
}

agentkernel_find_maven() {
    local repo="$1" mvn
    if [[ -n "${AGENTKERNEL_MVN:-}" ]]; then
        printf '%s\n' "$AGENTKERNEL_MVN"
        return 0
    fi
    mvn=$(command -v mvn 2>/dev/null || true)
    if [[ -n "$mvn" ]] && agentkernel_maven_version_ok "$mvn"; then
        printf '%s\n' "$mvn"
        return 0
    fi
    if [[ -x "$repo/mvnw" ]]; then
        [[ -n "$mvn" ]] && echo "using the Maven Wrapper: $mvn is older than ${AGENTKERNEL_MIN_MAVEN:-3.6.3}" >&2
        printf '%s\n' "$repo/mvnw"
        return 0
    fi
    echo "no Maven found: install Maven ${AGENTKERNEL_MIN_MAVEN:-3.6.3}+ (apt-get install maven) or restore $repo/mvnw" >&2
    return 1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    agentkernel_find_maven "${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
fi
