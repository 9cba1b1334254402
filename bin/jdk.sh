# Sourced by the scripts in bin/: exports JAVA_HOME pointing at a JDK 21 or newer, or fails with a hint.
# Looks at JAVA_HOME first, then the JDKs installed under /usr/lib/jvm, newest first.

java_feature_version() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

find_jdk() {
    local candidate version
    for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        candidate="${candidate%/}"
        [[ -n "$candidate" && -x "$candidate/bin/javac" ]] || continue
        version=$(java_feature_version "$candidate")
        if [[ -n "$version" && "$version" -ge 21 ]]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! JAVA_HOME=$(find_jdk); then
    echo "error: no JDK 21 or newer found (checked JAVA_HOME and /usr/lib/jvm)." >&2
    echo "Install one, for example: apt-get install -y openjdk-21-jdk-headless (or Temurin 21+), then run this again." >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
