#!/bin/sh
# need-debian-package.sh PROGRAM PACKAGE
# Make sure PROGRAM is on the PATH: if it is missing and we are root on a
# Debian-like system, install PACKAGE with apt-get; otherwise say how to.
program=$1
package=$2
command -v "$program" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian package $package (for $program)..."
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' 2>/dev/null | head -n 1)" ]; then
        apt-get update -qq || exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
    } || exit 1
    command -v "$program" >/dev/null 2>&1 && exit 0
fi
echo "'$program' is missing. Install it, for example with: sudo apt-get install $package" >&2
echo "(macOS: brew install $package; conda: conda install $package)" >&2
exit 1
