#!/usr/bin/env bash
# Set up handbook-gen on a fresh Debian/Ubuntu machine and build the example circles into site/.
# Installs: the Pango libraries WeasyPrint needs for the PDFs and Debian's chromium (for the
# browser tests) when missing, a virtualenv in .venv with the
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
        echo "install.sh: please install these Debian packages: $*" >&2
    fi
}

# Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright (zbar-tools decodes
# the calendars page's QR codes); Playwright never downloads a browser. The calendar tests read
# the feeds back with ical.js and the accessibility tests run axe-core, both from npm.
# Installed on CI or as root only; elsewhere the tests skip and say why.
# WeasyPrint (the PDFs) loads Pango as a shared library, not a command: ask the linker's cache.
# (grep reads all of ldconfig's output: an early exit would fail the pipe under pipefail.)
has_library() { /sbin/ldconfig -p 2>/dev/null | grep -F "$1" >/dev/null; }
missing=()
has_library libpango-1.0.so.0 || missing+=(libpango-1.0-0)
has_library libpangoft2-1.0.so.0 || missing+=(libpangoft2-1.0-0)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "${CI:-}" = true ] || [ "$(id -u)" = 0 ]; then
        apt_install "${missing[@]}"
    else
        echo "install.sh: ${missing[*]} missing (without Pango no PDFs, without the rest some tests" \
             "are skipped); install with: sudo apt-get install ${missing[*]}" >&2
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

bash scripts/install-js.sh

.venv/bin/handbook-gen build circles/ -o site/
echo "Klaar: open site/index.html in een browser."
