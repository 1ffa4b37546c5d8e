#!/bin/sh
# deps.sh build|test - installs what building or testing tinystack needs,
# with apt-get, when it is missing and we can (root, or sudo without a
# password).  Prints what it does; silent when everything is there.
set -e
what=${1:-build}
pkgs=""

need_pc() { pkg-config --exists "$1" 2>/dev/null || pkgs="$pkgs $2"; }

command -v cc >/dev/null 2>&1 || pkgs="$pkgs gcc"
command -v pkg-config >/dev/null 2>&1 || pkgs="$pkgs pkg-config"
need_pc libmicrohttpd libmicrohttpd-dev
need_pc libcjson libcjson-dev
need_pc sqlite3 libsqlite3-dev
need_pc libcrypto libssl-dev
need_pc libuv libuv1-dev
need_pc expat libexpat1-dev
need_pc zlib zlib1g-dev
need_pc libzip libzip-dev
need_pc yaml-0.1 libyaml-dev

if [ "$what" = test ]; then
    command -v python3 >/dev/null 2>&1 || pkgs="$pkgs python3"
    # The suites run Debian's python3 and aws (v2) as well as the ones
    # first on PATH, when those are another install (pyenv, pip).
    python3 -c 'import boto3' 2>/dev/null || pkgs="$pkgs python3-boto3"
    if [ -x /usr/bin/python3 ] && ! /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
        pkgs="$pkgs python3-boto3"
    fi
    [ -x /usr/bin/aws ] || pkgs="$pkgs awscli"
    command -v curl >/dev/null 2>&1 || pkgs="$pkgs curl"
fi

[ -z "$pkgs" ] && exit 0
echo "tinystack: installing$pkgs" >&2
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
else
    echo "tinystack: please install:$pkgs" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends $pkgs >&2
