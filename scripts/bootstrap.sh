#!/usr/bin/env bash
# Install what trunkline needs on a fresh Debian machine, idempotently:
# system tools (rpm, rpmbuild, createrepo_c, dnf, git, python3-rpm), then a .venv
# with the project and its dev dependencies. Safe to run again: it only installs
# what is missing and re-installs the project only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
need_apt=()
command -v rpmbuild >/dev/null 2>&1 || need_apt+=(rpm)
command -v createrepo_c >/dev/null 2>&1 || need_apt+=(createrepo-c)
command -v dnf >/dev/null 2>&1 || need_apt+=(dnf)
command -v git >/dev/null 2>&1 || need_apt+=(git)
[ -d /usr/lib/python3/dist-packages/rpm ] || need_apt+=(python3-rpm)
if [ "${WITH_BROWSER:-0}" = 1 ]; then
    command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
command -v rsync >/dev/null 2>&1 || need_apt+=(rsync)
# Debian splits venv/ensurepip out of python3
"$PY" -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
# rpmlint (trunkline distgit lint) loads libmagic through python-magic
ldconfig -p 2>/dev/null | grep -q 'libmagic\.so\.1' || need_apt+=(libmagic1)
# The API's Kerberos (HTTP Negotiate): the gssapi module has no Linux wheel and builds
# against libkrb5 (krb5-config, a C compiler, Python's headers); its tests run a real MIT
# KDC (krb5kdc, kdb5_util from krb5-kdc; kadmin.local from krb5-admin-server; kinit).
command -v krb5-config >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
[ -f "$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ] \
    || need_apt+=(python3-dev)
[ -x /usr/sbin/krb5kdc ] || need_apt+=(krb5-kdc)
[ -x /usr/sbin/kadmin.local ] || need_apt+=(krb5-admin-server)
command -v kinit >/dev/null 2>&1 || need_apt+=(krb5-user)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "bootstrap: installing system packages: ${need_apt[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv"
    "$PY" -m venv .venv
fi
stamp=.venv/.trunkline-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "bootstrap: installing trunkline and its dependencies into .venv"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e '.[dev]'
    # passlib (unmaintained) was replaced by libpass, which installs the same `passlib`
    # package: removing the old distribution deletes those files, so put libpass back.
    if .venv/bin/pip show -q passlib >/dev/null 2>&1; then
        .venv/bin/pip uninstall -y -q passlib
        .venv/bin/pip install -q --force-reinstall --no-deps libpass
    fi
    touch "$stamp"
fi
# The rpm shim on PyPI loads Debian's python3-rpm bindings; fail early if it cannot.
.venv/bin/python -c 'import rpm; rpm.labelCompare(("0","1","1"),("0","1","1"))' \
    || { echo "bootstrap: the rpm Python bindings do not load (python3-rpm)"; exit 1; }
# The dashboard's charts: Chart.js from the npm registry, vendored into the package so
# nothing is loaded from a CDN at run time (npm pack checks the registry's sha512).
CHARTJS_VERSION=4.4.7
vendor=src/trunkline/web/static/vendor
if [ ! -f "$vendor/chart-$CHARTJS_VERSION.umd.js" ]; then
    command -v npm >/dev/null 2>&1 || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
        $SUDO apt-get install -y -qq npm >/dev/null; }
    echo "bootstrap: vendoring chart.js $CHARTJS_VERSION from the npm registry"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "chart.js@$CHARTJS_VERSION" >/dev/null && tar xzf chart.js-*.tgz)
    mkdir -p "$vendor"
    rm -f "$vendor"/chart-*.umd.js
    cp "$tmp/package/dist/chart.umd.js" "$vendor/chart-$CHARTJS_VERSION.umd.js"
    cp "$tmp/package/LICENSE.md" "$vendor/chart.js-LICENSE.md"
    rm -rf "$tmp"
fi
# An editable install does not byte-compile the package (a wheel install does); without
# .pyc files, and with PYTHONDONTWRITEBYTECODE set, every CLI call would recompile its
# modules (~40 ms of a 60 ms `trunkline info`). Cheap when nothing changed.
.venv/bin/python -m compileall -q src/trunkline >/dev/null
