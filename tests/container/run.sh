#!/usr/bin/env bash
# run.sh - builds the image from the Dockerfile with podman and tests the
# container as LocalStack's users run it.  Root only (as CI is).
#
#   tests/container/run.sh         (KEEP=1: leave the image and the base)
#
# What it does: installs podman, runc and debootstrap when missing; makes
# docker.io/library/debian:12-slim itself (debootstrap --variant=minbase,
# slimmed as Debian's official slim image is) when podman has none, since
# no image registry is reachable here; builds the image; then, each
# against a container started with -p <free port>:4566:
#   - the health endpoint, the HEALTHCHECK and "Ready." in `podman logs`;
#   - tests/cli/run.sh with CLI_ONLY=lambda (Python handlers, S3
#     notifications) and CLI_ONLY=invoices (the invoice pipeline example,
#     whose restart half needs a binary and is skipped, saying so), and
#     tests/container/test_node.sh (Node.js handlers
#     using the bundled AWS SDK v3 through `require` and `import`);
#   - PERSISTENCE=1 with a volume at /var/lib/localstack, then at
#     /var/lib/tinystack: a bucket and an object outlive the container;
#   - init hooks mounted at /etc/localstack/init/ready.d: a shell hook
#     running `awslocal s3 mb` and a .py hook, their buckets and output.
# Prints the image's size and what it adds to the base, and last
# `container: N passed, N failed`; exit status 1 on any failure.  When
# podman cannot run containers here it says why and ends with
# `container: skipped (<reason>)`, status 0.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
IMAGE=localhost/tinystack:test
BASE=docker.io/library/debian:12-slim
WORKROOT=$(mktemp -d "${TMPDIR:-/tmp}/tinystack-container-XXXXXX")
RESULTS=$WORKROOT/results
: >"$RESULTS"
CONTAINERS=()
T0=$(date +%s)

log() { echo "container: $*" >&2; }

pass() {
    printf 'PASS\t%s\n' "$1" >>"$RESULTS"
    printf 'ok     %s\n' "$1" >&2
}

fail() {
    printf 'FAIL\t%s\n' "$1" >>"$RESULTS"
    printf 'FAILED %s\n' "$1" >&2
    [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/       | /' | head -n 40 >&2
    return 0
}

summary() {
    local p f
    p=$(grep -c '^PASS' "$RESULTS")
    f=$(grep -c '^FAIL' "$RESULTS")
    log "$(( $(date +%s) - T0 )) s in all"
    echo "container: $p passed, $f failed"
    [ "$f" -eq 0 ]
}

skip() {
    echo "container: podman cannot run containers here: $1" >&2
    echo "container: skipped ($1)"
    exit 0
}

cleanup() {
    local c
    for c in "${CONTAINERS[@]}"; do
        podman rm -f -t 2 "$c" >/dev/null 2>&1
    done
    if [ -z "${KEEP:-}" ]; then
        podman rmi -f "$IMAGE" >/dev/null 2>&1
    fi
    rm -rf "$WORKROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- podman -----------------------------------------------------------------

[ "$(id -u)" = 0 ] || skip "not root: these tests run podman and debootstrap as root"
export DEBIAN_FRONTEND=noninteractive
missing=""
command -v podman >/dev/null 2>&1 || missing="$missing podman"
command -v runc >/dev/null 2>&1 || missing="$missing runc"
command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
command -v aws >/dev/null 2>&1 || missing="$missing awscli"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
if [ -n "$missing" ]; then
    log "installing$missing"
    apt-get update -qq >&2 && apt-get install -y -qq$missing >/dev/null ||
        skip "apt-get install$missing failed"
fi
# The sandbox's runc may not set rlimits (EPERM on RLIMIT_NPROC): podman's
# default ulimits would stop every container before it starts.
if [ ! -e /etc/containers/containers.conf ]; then
    mkdir -p /etc/containers
    printf '[containers]\ndefault_ulimits = []\n' >/etc/containers/containers.conf
fi
PODMAN=(podman --runtime runc)

# The Debian mirror the host uses: URIs of a deb822 source, else a
# one-line source.
debian_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
        [ -f "$f" ] || continue
        awk '/^URIs:/ && $2 ~ /\/debian\/?$/ {print $2; exit}
             /^deb / && $2 ~ /\/debian\/?$/ {print $2; exit}' "$f"
    done | head -n 1
}

security_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
        [ -f "$f" ] || continue
        awk '/^URIs:/ && $2 ~ /debian-security\/?$/ {print $2; exit}
             /^deb / && $2 ~ /debian-security\/?$/ {print $2; exit}' "$f"
    done | head -n 1
}

# debian:12-slim from debootstrap, made as Debian's slim image is made
# (debuerreotype): docs, man pages and locales excluded from dpkg, apt's
# caches cleaned after every install, the image's sources.
make_base() {
    local rootfs=$WORKROOT/rootfs mirror security t
    mirror=$(debian_mirror)
    mirror=${mirror:-http://deb.debian.org/debian}
    security=$(security_mirror)
    t=$(date +%s)
    log "making $BASE with debootstrap from $mirror"
    if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$WORKROOT/debootstrap.log" 2>&1; then
        tail -n 20 "$WORKROOT/debootstrap.log" >&2
        return 1
    fi
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
    echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
    rm -f "$rootfs/etc/apt/sources.list"
    {
        printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$mirror"
        printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
        if [ -n "$security" ]; then
            printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\n' "$security"
            printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
        fi
    } >"$rootfs/etc/apt/sources.list.d/debian.sources"
    (
        cd "$rootfs" || exit 1
        find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
        find usr/share/doc -mindepth 1 -type d -empty -delete
        rm -rf usr/share/info/* usr/share/linda/* usr/share/lintian/overrides/* \
            usr/share/locale/* usr/share/man/* var/cache/apt/archives/*.deb \
            var/cache/apt/*.bin var/lib/apt/lists/* var/log/*.log var/log/apt/*
        : >etc/resolv.conf
        printf 'exit 101\n' >usr/sbin/policy-rc.d && chmod 755 usr/sbin/policy-rc.d
    ) || return 1
    tar --numeric-owner -C "$rootfs" -c . |
        "${PODMAN[@]}" import --change 'CMD ["bash"]' - "$BASE" >/dev/null || return 1
    rm -rf "$rootfs"
    log "made $BASE in $(( $(date +%s) - t )) s"
}

if ! "${PODMAN[@]}" image exists "$BASE"; then
    make_base || skip "could not make $BASE with debootstrap (log above)"
fi
if ! out=$("${PODMAN[@]}" run --rm --network=none "$BASE" true 2>&1); then
    skip "$(printf '%s' "$out" | tail -n 1)"
fi

# --- the image --------------------------------------------------------------

t=$(date +%s)
build=(podman build --jobs=3 --isolation=chroot --network=host --format docker -t "$IMAGE")
# Behind a TLS-intercepting proxy (as here) the npm registry's certificate
# is signed by the host's CA: the npm stage takes the host's bundle.
[ -s /etc/ssl/certs/ca-certificates.crt ] &&
    build+=(--secret "id=ca,src=/etc/ssl/certs/ca-certificates.crt")
log "building the image"
if "${build[@]}" "$ROOT" >"$WORKROOT/build.log" 2>&1; then
    pass "podman build ($(( $(date +%s) - t )) s)"
else
    fail "podman build" "$(tail -n 40 "$WORKROOT/build.log")"
    summary
    exit 1
fi

image_size() { "${PODMAN[@]}" image inspect "$1" --format '{{.Size}}'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
size=$(image_size "$IMAGE")
base_size=$(image_size "$BASE")
log "image $(mb "$size"); on top of $BASE ($(mb "$base_size")): $(mb $((size - base_size)))"
# One line a layer: its size and what made it.
"${PODMAN[@]}" history --no-trunc --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" |
    awk -F '\t' '$1 != "0 B" {
        c = $2; sub(/.*\/bin\/sh -c /, "", c); sub(/^#\(nop\) /, "", c)
        sub(/(dir|file):[0-9a-f]+ in /, "to ", c)
        if (match(c, /--no-install-recommends +[^>;&]*/))
            { c = substr(c, RSTART, RLENGTH); sub(/--no-install-recommends +/, "apt-get install ", c) }
        gsub(/  +/, " ", c)
        printf "container:   %10s  %s\n", $1, substr(c, 1, 90) }' >&2

# The libraries the binary dlopen()s on first use are in the image: one
# of the sonames each source file tries.
for f in $(grep -rl 'dlopen("' "$ROOT/src" --include='*.c'); do
    names=$(grep -o 'dlopen("[^"]*"' "$f" | sed 's/dlopen("//; s/"$//' | tr '\n' ' ')
    if "${PODMAN[@]}" run --rm --pull=never --network=none --entrypoint sh "$IMAGE" -c \
            'for n; do ldconfig -p | grep -q "^[[:space:]]*$n " && exit 0; done; exit 1' sh $names >/dev/null 2>&1; then
        pass "the image has what ${f#"$ROOT"/} dlopen()s ($names)"
    else
        fail "the image has what ${f#"$ROOT"/} dlopen()s ($names)"
    fi
done

# --- containers -------------------------------------------------------------

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME PORT [podman run options...]: a detached container on PORT.
start() {
    local name=$1 port=$2 out
    shift 2
    if ! out=$("${PODMAN[@]}" run -d --pull=never --name "$name" -p "127.0.0.1:$port:4566" \
            --health-interval=disable "$@" "$IMAGE" 2>&1); then
        fail "podman run $name" "$out"
        return 1
    fi
    CONTAINERS+=("$name")
}

# wait_ready NAME PORT: the health endpoint answers within 30 s.
wait_ready() {
    local name=$1 port=$2
    for _ in $(seq 1 300); do
        curl -fs -o /dev/null "http://127.0.0.1:$port/_localstack/health" && return 0
        [ "$("${PODMAN[@]}" inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
        sleep 0.1
    done
    fail "$name answers /_localstack/health" "$("${PODMAN[@]}" logs "$name" 2>&1 | tail -n 30)"
    return 1
}

# stop NAME: SIGTERM, then the container's exit status must be 0.
stop() {
    local name=$1 st
    "${PODMAN[@]}" stop -t 10 "$name" >/dev/null 2>&1
    st=$("${PODMAN[@]}" inspect -f '{{.State.ExitCode}}' "$name" 2>/dev/null)
    if [ "$st" = 0 ]; then pass "$name exits 0 on SIGTERM"; else fail "$name exits 0 on SIGTERM (got $st)"; fi
}

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=$WORKROOT/aws-config AWS_SHARED_CREDENTIALS_FILE=$WORKROOT/aws-credentials
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL 2>/dev/null
aws_at() { local port=$1; shift; aws --endpoint-url "http://127.0.0.1:$port" "$@"; }

section() { log "$1 ($(( $(date +%s) - T0 )) s so far)"; }

# (1) the image itself, and the Lambda suites against it.
section "the image's own checks"
P=$(free_port)
if start ts-main "$P" && wait_ready ts-main "$P"; then
    pass "the container answers /_localstack/health on -p $P:4566"
    body=$(curl -s "http://127.0.0.1:$P/_localstack/health")
    case $body in *'"s3"'*) pass "health lists the services" ;; *) fail "health lists the services" "$body" ;; esac
    if out=$("${PODMAN[@]}" healthcheck run ts-main 2>&1); then
        pass "the image's HEALTHCHECK passes"
    else
        fail "the image's HEALTHCHECK passes" "$out"
    fi
    for _ in $(seq 1 50); do
        "${PODMAN[@]}" logs ts-main 2>&1 | grep -qx 'Ready\.' && break
        sleep 0.1
    done
    if "${PODMAN[@]}" logs ts-main 2>&1 | grep -qx 'Ready\.'; then
        pass "podman logs shows Ready."
    else
        fail "podman logs shows Ready." "$("${PODMAN[@]}" logs ts-main 2>&1 | tail -n 20)"
    fi
    out=$("${PODMAN[@]}" exec ts-main awslocal s3 mb s3://from-exec 2>&1)
    case $out in *from-exec*) pass "awslocal inside the container" ;; *) fail "awslocal inside the container" "$out" ;; esac

    section "tests/cli/run.sh CLI_ONLY=lambda against the container"
    out=$(TINYSTACK_ENDPOINT=http://127.0.0.1:$P CLI_ONLY=lambda bash "$ROOT/tests/cli/run.sh" 2>&1)
    st=$?
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [ "$st" -eq 0 ]; then pass "tests/cli lambda suite against the container ($line)"
    else fail "tests/cli lambda suite against the container ($line)" "$(printf '%s\n' "$out" | grep -A8 FAILED | head -n 40)"; fi

    section "the invoice pipeline example (tests/cli/test_invoices.sh) against the container"
    out=$(TINYSTACK_ENDPOINT=http://127.0.0.1:$P CLI_ONLY=invoices bash "$ROOT/tests/cli/run.sh" 2>&1)
    st=$?
    line=$(printf '%s\n' "$out" | tail -n 1)
    if [ "$st" -eq 0 ]; then pass "the invoice example against the container ($line)"
    else fail "the invoice example against the container ($line)" "$(printf '%s\n' "$out" | grep -A8 FAILED | head -n 40)"; fi

    section "tests/container/test_node.sh against the container"
    mkdir -p "$WORKROOT/node"
    ENDPOINT=http://127.0.0.1:$P AWS=aws WORK=$WORKROOT/node CLI_RESULTS=$RESULTS \
        CLI_LABEL=node TINYSTACK_ENDPOINT=http://127.0.0.1:$P bash "$HERE/test_node.sh"
    stop ts-main
fi

# (2) PERSISTENCE=1: state in the volume outlives the container.
persistence() {
    local where=$1 tag=$2 vol=$WORKROOT/vol-$2 port bucket=persist-$2-$RANDOM got
    mkdir -p "$vol"
    port=$(free_port)
    start "ts-$tag-1" "$port" -e PERSISTENCE=1 -v "$vol:$where" || return
    wait_ready "ts-$tag-1" "$port" || return
    printf 'kept in %s\n' "$where" >"$WORKROOT/object-$tag.txt"
    aws_at "$port" s3 mb "s3://$bucket" >/dev/null 2>&1
    aws_at "$port" s3 cp "$WORKROOT/object-$tag.txt" "s3://$bucket/kept.txt" >/dev/null 2>&1
    stop "ts-$tag-1"
    if [ -n "$(ls -A "$vol" 2>/dev/null)" ]; then pass "PERSISTENCE=1 writes into the volume at $where"
    else fail "PERSISTENCE=1 writes into the volume at $where" "the volume is empty"; fi
    port=$(free_port)
    start "ts-$tag-2" "$port" -e PERSISTENCE=1 -v "$vol:$where" || return
    wait_ready "ts-$tag-2" "$port" || return
    got=$(aws_at "$port" s3 cp "s3://$bucket/kept.txt" - 2>&1)
    if [ "$got" = "kept in $where" ]; then pass "a bucket and an object outlive the container (volume at $where)"
    else fail "a bucket and an object outlive the container (volume at $where)" "$got"; fi
    stop "ts-$tag-2"
}
section "persistence"
persistence /var/lib/localstack localstack
persistence /var/lib/tinystack tinystack

# (3) init hooks in ready.d: a shell hook with awslocal and a .py hook.
section "init hooks"
hooks=$WORKROOT/ready.d
mkdir -p "$hooks"
cat >"$hooks/01-bucket.sh" <<'EOF'
#!/bin/sh
echo "hook 01-bucket.sh: making s3://from-hook"
awslocal s3 mb s3://from-hook
EOF
# Debian 12's boto3 (1.26) does not read AWS_ENDPOINT_URL (1.28 does):
# the hook passes the endpoint tinystack gives it.
cat >"$hooks/02-bucket.py" <<'EOF'
import os
import boto3
print("hook 02-bucket.py: making s3://from-py-hook", flush=True)
boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).create_bucket(Bucket="from-py-hook")
EOF
chmod 755 "$hooks/01-bucket.sh"
P=$(free_port)
if start ts-hooks "$P" -v "$hooks:/etc/localstack/init/ready.d:ro" && wait_ready ts-hooks "$P"; then
    for _ in $(seq 1 200); do   # 20 s: the CLI in a hook takes a second or two
        buckets=$(aws_at "$P" s3api list-buckets --query 'Buckets[].Name' --output text 2>&1)
        case $buckets in *from-py-hook*from-hook*|*from-hook*from-py-hook*) break ;; esac
        sleep 0.1
    done
    logs=$("${PODMAN[@]}" logs ts-hooks 2>&1)
    case " $buckets " in *[[:space:]]from-hook[[:space:]]*) pass "a ready.d shell hook's awslocal s3 mb made its bucket" ;;
        *) fail "a ready.d shell hook's awslocal s3 mb made its bucket" "buckets: $buckets
$(printf '%s\n' "$logs" | tail -n 20)" ;; esac
    case $buckets in *from-py-hook*) pass "a ready.d .py hook made its bucket" ;;
        *) fail "a ready.d .py hook made its bucket" "buckets: $buckets" ;; esac
    case $logs in *"hook 01-bucket.sh: making"*) pass "the shell hook's output is in podman logs" ;;
        *) fail "the shell hook's output is in podman logs" "$(printf '%s\n' "$logs" | tail -n 20)" ;; esac
    case $logs in *"hook 02-bucket.py: making"*) pass "the .py hook's output is in podman logs" ;;
        *) fail "the .py hook's output is in podman logs" "$(printf '%s\n' "$logs" | tail -n 20)" ;; esac
    # Hooks run after Ready. (LocalStack's ready.d contract).
    if printf '%s\n' "$logs" | awk '/^Ready\.$/ {r = 1} /hook 01-bucket.sh: making/ {ok = r; seen = 1; exit}
                                     END {exit !(seen && ok)}'; then
        pass "ready.d hooks run after Ready."
    else
        fail "ready.d hooks run after Ready." "$(printf '%s\n' "$logs" | head -n 20)"
    fi
    stop ts-hooks
fi

summary
