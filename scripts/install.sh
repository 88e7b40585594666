#!/usr/bin/env bash
# Set up handbook-gen on a fresh Debian/Ubuntu machine and build the example circles into site/.
# Installs: Debian's chromium (for the browser tests) when missing, a virtualenv in .venv with the
# project and its test tools, and ical.js and axe-core (npm) for the calendar read-back and the
# accessibility tests.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
    elif command -v sudo >/dev/null; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
    else
        echo "install.sh: please install these Debian packages for the browser tests: $*" >&2
    fi
}

# Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright (zbar-tools decodes
# the calendars page's QR codes); Playwright never downloads a browser. The calendar tests read
# the feeds back with ical.js and the accessibility tests run axe-core, both from npm.
# Installed on CI or as root only; elsewhere the tests skip and say why.
missing=()
command -v zbarimg >/dev/null || missing+=(zbar-tools)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "${CI:-}" = true ] || [ "$(id -u)" = 0 ]; then
        apt_install "${missing[@]}"
    else
        echo "install.sh: ${missing[*]} missing, so some tests will be skipped;" \
             "install with: sudo apt-get install ${missing[*]}" >&2
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

bash scripts/install-js.sh

.venv/bin/handbook-gen build circles/ -o site/
echo "Klaar: open site/index.html in een browser."
