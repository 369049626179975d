#!/usr/bin/env bash
# Finds a JDK >= 21 without hard-coding where it lives.
#
# Order: $JAVA_HOME, then the `java` on PATH, then the newest JDK under the
# directories in $AGENTKERNEL_JDK_DIRS (default /usr/lib/jvm). A candidate counts
# only if it has bin/java and bin/javac (the launcher may need to build) and its
# major version is >= $AGENTKERNEL_MIN_JAVA (default 21).
#
# Source it and call `agentkernel_find_jdk` (prints the JDK home, returns 1 with a
# message on stderr when there is none), or run it to print the JDK home.

agentkernel_jdk_major() {
    # Prints the major version of the JDK at $1, or nothing when it is not a JDK.
    local home="$1" version=""
    [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 1
    if [[ -r "$home/release" ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n 1)
    fi
    if [[ -z "$version" ]]; then
        # `java -version` prints e.g.: openjdk version "17.0.15" 2025-04-15
        version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    [[ -n "$version" ]] || return 1
    # Java 8 and older call themselves 1.x.
    if [[ "$version" == 1.* ]]; then version="${version#1.}"; fi
    version="${version%%[!0-9]*}"
    [[ -n "$version" ]] || return 1
    printf '%s\n' "$version"
}

agentkernel_find_jdk() {
    local min="${AGENTKERNEL_MIN_JAVA:-21}" home major best="" best_major=0 java_bin dir
    local -a seen=()

    if [[ -n "${JAVA_HOME:-}" ]]; then
        if major=$(agentkernel_jdk_major "$JAVA_HOME") && (( major >= min )); then
            printf '%s\n' "$JAVA_HOME"; return 0
        fi
        seen+=("JAVA_HOME=$JAVA_HOME (${major:-not a JDK})")
    fi

    if java_bin=$(command -v java 2>/dev/null); then
        # /usr/bin/java is usually a chain of symlinks into the JDK: follow it to the home.
        java_bin=$(readlink -f "$java_bin" 2>/dev/null || printf '%s' "$java_bin")
        home=$(dirname "$(dirname "$java_bin")")
        if major=$(agentkernel_jdk_major "$home") && (( major >= min )); then
            printf '%s\n' "$home"; return 0
        fi
        seen+=("java on PATH: $home (${major:-not a JDK})")
    fi

    local IFS_SAVE="$IFS"; IFS=':'
    local -a dirs=(${AGENTKERNEL_JDK_DIRS:-/usr/lib/jvm})
    IFS="$IFS_SAVE"
    # ${a[@]+"${a[@]}"}: an empty array is "unbound" under set -u in bash < 4.4 (macOS ships 3.2).
    for dir in ${dirs[@]+"${dirs[@]}"}; do
        [[ -d "$dir" ]] || continue
        for home in "$dir"/*; do
            [[ -d "$home" ]] || continue
            major=$(agentkernel_jdk_major "$home") || continue
            if (( major >= min && major > best_major )); then
                best="$home"; best_major="$major"
            fi
        done
    done
    if [[ -n "$best" ]]; then
        printf '%s\n' "${best%/}"; return 0
    fi

    {
        echo "agentkernel: no JDK $min or newer found."
        for dir in ${seen[@]+"${seen[@]}"}; do echo "  looked at $dir"; done
        echo "  looked in ${AGENTKERNEL_JDK_DIRS:-/usr/lib/jvm}"
        echo "Install a JDK $min+ (e.g. apt-get install openjdk-21-jdk-headless) or point JAVA_HOME at one."
    } >&2
    return 1
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    agentkernel_find_jdk
fi
