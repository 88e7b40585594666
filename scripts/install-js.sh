#!/usr/bin/env bash
# Install the Node.js side of the tests in tests/js/node_modules, exactly as
# tests/js/package-lock.json pins it (npm ci: no resolving, integrity-checked, nothing else
# installed): Mozilla's ical.js, with which the calendar tests read the .ics feeds back,
# axe-core, with which the browser tests check every page for WCAG 2.1 AA, and Red Hat's
# yaml-language-server (VS Code's YAML extension), through which tests/test_init.py reads the
# circle schema's Dutch editor messages. Without them those
# tests are skipped, except on CI (CI=true), where they fail.
# Needs node (>= 18), npm and the npm registry (scripts/install.sh installs Debian's nodejs and npm).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null; then
    echo "install-js.sh: npm is missing; please install Node.js and npm (Debian: apt-get install nodejs npm)." >&2
    if [ "${CI:-}" = true ]; then
        exit 1
    fi
    echo "install-js.sh: the ical.js calendar tests and the axe-core accessibility tests will be skipped until then." >&2
    exit 0
fi

npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
echo "install-js.sh: ical.js, axe-core and yaml-language-server installed in tests/js/node_modules"
