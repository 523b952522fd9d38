#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it if it is missing and we
# may; otherwise say so clearly (the tests then skip, except under CI, where
# KOLLEGAN_REQUIRE_BROWSER=1 makes them fail instead).
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi
if command -v apt-get >/dev/null && [[ $(id -u) -eq 0 ]]; then
    echo "Installerar Chromium för webbläsartesterna (apt-get install chromium)…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null \
        || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive \
             apt-get install -y --no-install-recommends chromium >/dev/null; }
    exit 0
fi
echo "Chromium saknas ($CHROMIUM) och kan inte installeras härifrån:" \
     "kör 'sudo apt-get install chromium'. Webbläsartesterna hoppas över." >&2
