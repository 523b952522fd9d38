#!/usr/bin/env bash
# The test suite drives Debian's Chromium (browser tests) and GNU gettext
# (the translation catalogue check). Install what is missing when we may;
# otherwise say so clearly: those tests then skip on a developer machine, and
# fail under CI (KOLLEGAN_CI=1), where nothing may skip.
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
command -v xgettext >/dev/null && command -v msgmerge >/dev/null || missing+=(gettext)
[[ ${#missing[@]} -eq 0 ]] && exit 0

if command -v apt-get >/dev/null && [[ $(id -u) -eq 0 ]]; then
    echo "Installerar ${missing[*]} för testerna (apt-get install)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
        || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive \
             apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
    exit 0
fi
echo "Saknas för testerna: ${missing[*]}. Kör 'sudo apt-get install ${missing[*]}';" \
     "tills dess hoppas de tester som behöver dem över." >&2
