#!/bin/sh
# tools/check-imports.sh — checks that Package.swift is true: for every Swift target, the modules its
# files import are exactly the modules it declares as dependencies.
#
# Reads the manifest through `swift package dump-package` (so Package.swift is parsed by SwiftPM, not
# by a pattern) and the imports with grep. Prints one line per mismatch and exits 1 when there is any:
#   Storyboard: declares Tracing but no file imports it
#   TerminalReplay: imports Engine (Sources/TerminalReplay/FrameView.swift) but does not declare it
# Modules of the platform (Foundation, Glibc, Testing, …) need no declaration and are ignored. A
# dependency on an executable target (CLITests → convtrace) builds the program a test runs; it is
# not imported and is not reported.
# Usage: tools/check-imports.sh [PACKAGE_DIR]   (needs swift and jq)
set -eu

dir=${1:-.}
cd "$dir"
manifest=$(swift package dump-package)
platform=" Foundation FoundationEssentials FoundationNetworking Dispatch Glibc Darwin Musl WinSDK Android \
Testing XCTest Synchronization os "

executables=$(printf '%s' "$manifest" | jq -r '.targets[] | select(.type == "executable") | .name')

status=0
for target in $(printf '%s' "$manifest" | jq -r '.targets[] | select(.type != "system" and .type != "binary") | .name'); do
    path=$(printf '%s' "$manifest" | jq -r --arg t "$target" \
        '.targets[] | select(.name == $t) | (.path // (if .type == "test" then "Tests/" else "Sources/" end + .name))')
    declared=$(printf '%s' "$manifest" | jq -r --arg t "$target" \
        '.targets[] | select(.name == $t) | .dependencies[] | (.byName // .target // .product)[0]' | sort -u)
    [ -d "$path" ] || { echo "$target: no directory $path"; status=1; continue; }
    # `import M`, `@testable import M`, `import struct M.T`, `@_implementationOnly import M`, indented
    # inside `#if` blocks too.
    imported=$(find "$path" -name '*.swift' -exec grep -hE '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]+' {} + \
        | sed -E 's/^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]+((typealias|struct|class|enum|protocol|let|var|func)[[:space:]]+)?([A-Za-z0-9_]+).*/\4/' \
        | sort -u)
    for module in $imported; do
        case "$platform" in *" $module "*) continue ;; esac
        if ! printf '%s\n' "$declared" | grep -qx "$module"; then
            where=$(grep -rlE "^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]+([a-z]+[[:space:]]+)?$module([^A-Za-z0-9_]|\$)" "$path" --include='*.swift' | head -1)
            echo "$target: imports $module ($where) but does not declare it"
            status=1
        fi
    done
    for module in $declared; do
        printf '%s\n' "$executables" | grep -qx "$module" && continue
        if ! printf '%s\n' "$imported" | grep -qx "$module"; then
            echo "$target: declares $module but no file imports it"
            status=1
        fi
    done
done
[ "$status" = 0 ] && echo "check-imports: every target imports exactly what Package.swift declares"
exit "$status"
