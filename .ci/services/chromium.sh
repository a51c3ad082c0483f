# Headless Chromium (Debian's package) for the dashboard's browser tests.
#
# Sourced (not executed) by .ci/run as root on a fresh Debian machine; safe to
# source again (idempotent).  Installs the `chromium` package when
# /usr/bin/chromium is missing (running `apt-get update` only when the package
# is not known to apt yet) and exports COOPGOV_CHROMIUM for the tests, which
# drive it with Playwright for Python through its executable path (Playwright's
# own browser download is not used).
#
# Local use:   source .ci/services/chromium.sh && python -m pytest tests/web -q

_coopgov_chromium_setup() {
    local exe=/usr/bin/chromium
    if [ ! -x "$exe" ]; then
        if ! apt-cache show chromium >/dev/null 2>&1; then
            apt-get update -q
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            chromium fonts-noto-cjk >/dev/null || \
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
    fi
    if [ ! -x "$exe" ]; then
        echo "chromium.sh: $exe still missing after apt-get install" >&2
        return 1
    fi
    export COOPGOV_CHROMIUM="$exe"
    echo "Chromium ready: $("$exe" --version 2>/dev/null || echo "$exe")"
}
_coopgov_chromium_setup
unset -f _coopgov_chromium_setup
