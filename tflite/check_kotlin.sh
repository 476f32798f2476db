#!/usr/bin/env bash
# Compiles the Kotlin reference code in tflite/kotlin and replays golden files through it.
#
#   tflite/check_kotlin.sh GOLDEN.json|FOLDER ...
#
# Installs Debian's `kotlin` (kotlinc 1.3) with apt when kotlinc is missing (needs root or
# sudo, and a JDK: java 17 works). The jar is cached by a hash of the sources in
# ${KERAS_SLM_KOTLIN_CACHE:-${TMPDIR:-/tmp}/keras-slm-kotlin}.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/kotlin"

install_kotlin() {
    # Two test workers may get here at once: one installs, the other waits for the lock
    # and then finds kotlinc (two apt-get runs at once fail on dpkg's lock).
    exec 9>"${TMPDIR:-/tmp}/keras-slm-kotlin-install.lock"
    flock 9
    if ! command -v kotlinc >/dev/null 2>&1; then
        echo "kotlinc not found: installing Debian's kotlin package" >&2
        sudo=""
        if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get update -q >&2
        $sudo apt-get install -y -q kotlin >&2
    fi
    exec 9>&-
}

command -v kotlinc >/dev/null 2>&1 || install_kotlin
command -v java >/dev/null 2>&1 || { echo "java not found: install a JDK (e.g. openjdk-17-jdk-headless)" >&2; exit 3; }

sources=$(find "$src" -name '*.kt' | sort)
hash=$(cat $sources | sha256sum | cut -c1-16)
cache="${KERAS_SLM_KOTLIN_CACHE:-${TMPDIR:-/tmp}/keras-slm-kotlin}"
jar="$cache/check-$hash.jar"
if [ ! -f "$jar" ]; then
    mkdir -p "$cache"
    tmp="$cache/partial-$$.jar"
    log="$cache/partial-$$.log"
    echo "compiling $(echo $sources | wc -w) Kotlin files with $(kotlinc -version 2>&1 | grep -o 'kotlinc-jvm [^ ]*')" >&2
    if ! kotlinc $sources -include-runtime -d "$tmp" >"$log" 2>&1; then
        grep -v -e '-Xverify' "$log" >&2
        rm -f "$tmp" "$log"
        exit 4
    fi
    rm -f "$log"
    mv "$tmp" "$jar"
fi
exec java -jar "$jar" "$@"
