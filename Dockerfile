# tinystack in a container: the same port, health endpoint and
# environment as localstack/localstack, a fraction of the size.
#   docker build -t tinystack . && docker run -p 4566:4566 tinystack
# Lambda: Python handlers run on Debian's python3 with boto3, Node.js
# handlers on Debian's nodejs with the AWS SDK for JavaScript v3 clients
# (src/container/nodejs/package.json) found by `require` and `import` alike.
# tests/container/run.sh builds it with podman and tests it.
#
# Behind a TLS-intercepting proxy, give the npm stage its CA bundle:
#   --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt

# --- the binary: the release build, stripped -------------------------------
FROM debian:12-slim AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        gcc make pkg-config libc6-dev libmicrohttpd-dev libcjson-dev \
        libsqlite3-dev libssl-dev libuv1-dev libexpat1-dev zlib1g-dev libzip-dev \
        libyaml-dev >/dev/null \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY tests/deps.sh ./tests/deps.sh
COPY include ./include
COPY src ./src
ARG JOBS=2
RUN make -j"$JOBS" all && strip -o /tinystack build/rel/tinystack

# --- the AWS SDK for JavaScript v3, as AWS's nodejs runtimes carry it ------
# npm itself comes from the registry (Debian's npm package is ~390 packages
# to install for one command); npm 10 is the last that runs on Node.js 18.
FROM debian:12-slim AS sdk
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        nodejs ca-certificates >/dev/null \
    && rm -rf /var/lib/apt/lists/*
ARG NPM_VERSION=10.9.9
ARG NPM_INTEGRITY=sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==
WORKDIR /opt/sdk
COPY src/container/nodejs/package.json src/container/nodejs/package-lock.json ./
# Only the CommonJS build is kept: Node loads it for `require` and for
# `import` alike (the clients' "main" is dist-cjs; the packages with an
# "exports" map list "node" before "import"), so the ES-module builds
# (dist-es, build/module: bundlers' "module" field), the types, maps and
# READMEs go: 20 MB down to 6 MB.
RUN --mount=type=secret,id=ca \
    set -e; \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    node -e 'const [url, want, out] = process.argv.slice(1); \
        require("https").get(url, (r) => { \
            const h = require("crypto").createHash("sha512"), parts = []; \
            if (r.statusCode !== 200) { console.error(`${url}: HTTP ${r.statusCode}`); process.exit(1); } \
            r.on("data", (c) => { h.update(c); parts.push(c); }); \
            r.on("end", () => { \
                if (`sha512-${h.digest("base64")}` !== want) { console.error(`${url}: not ${want}`); process.exit(1); } \
                require("fs").writeFileSync(out, Buffer.concat(parts)); }); \
        }).on("error", (e) => { console.error(`${url}: ${e.message}`); process.exit(1); })' \
        "https://registry.npmjs.org/npm/-/npm-$NPM_VERSION.tgz" "$NPM_INTEGRITY" /tmp/npm.tgz; \
    tar -xzf /tmp/npm.tgz -C /tmp; \
    node /tmp/package/bin/npm-cli.js ci --omit=dev --no-audit --no-fund --loglevel=error; \
    cd node_modules; \
    find . -depth -type d \( -name dist-es -o -name dist-types -o -path '*/build/module' \) \
         -exec rm -rf {} +; \
    find . -type f \( -name '*.ts' -o -name '*.d.cts' -o -name '*.d.mts' -o -name '*.map' \
                   -o -name '*.md' \) -delete; \
    rm -rf /tmp/npm.tgz /tmp/package /root/.npm

# --- the image -------------------------------------------------------------
FROM debian:12-slim
# botocore's service models: python3-botocore's (boto3, for handlers and
# hooks) and the aws CLI's own copy are 150 MB of JSON for 330 services.
# Kept: what tinystack serves, what handlers written for LocalStack call
# besides (a client made at import must not fail), the SSO models the
# credential chain may load, and codedeploy, config and opsworkscm, which
# the CLI's customizations load at every start.  Any other service: boto3 raises
# UnknownServiceError, the CLI says "Invalid choice".  dpkg leaves the rest
# out (it knows, so upgrades in a derived image keep to the list);
# --build-arg BOTOCORE_MODELS=all keeps every model.  botocore reads
# .json.gz models as well, so its copy is compressed (the CLI's cannot be).
ARG BOTOCORE_MODELS="s3 s3control dynamodb dynamodbstreams lambda iam sts logs \
    apigateway apigatewayv2 apigatewaymanagementapi sqs sns events scheduler \
    ssm secretsmanager kms kinesis firehose stepfunctions cloudwatch \
    cloudformation ses sesv2 acm route53 resourcegroupstaggingapi \
    sso sso-oidc codedeploy config opsworkscm"
ARG CLI_MODELS="s3 dynamodb dynamodbstreams lambda iam sts logs \
    apigateway apigatewayv2 apigatewaymanagementapi \
    sso sso-oidc codedeploy config opsworkscm"
# The CLI's own copy keeps only what tinystack serves and what its
# customizations load at start (CLI_MODELS): `awslocal sqs ...` would fail
# against tinystack either way, here with "Invalid choice".  Its help
# examples and shell-completion index go too (35 MB): `aws help` still
# works, without examples.  Nothing runs Node's TypeScript declarations
# (/usr/share/nodejs/@types, 4 MB).
# One layer per part, so `docker history` shows what each costs; apt's
# lists live in a cache mount, fetched once and in no layer.  The
# binary's shared libraries: libmicrohttpd (its GnuTLS is in the base
# already: apt needs it), cJSON, and the two it dlopen()s on first use,
# libzip (a Lambda zip) and libyaml (an OpenAPI import in YAML).
RUN --mount=type=cache,id=tinystack-apt-lists,target=/var/lib/apt/lists \
    set -e; \
    py=/usr/lib/python3/dist-packages; \
    { echo "path-exclude=$py/awscli/examples/*"; \
      echo "path-exclude=$py/awscli/data/ac.index"; \
      echo "path-exclude=/usr/share/nodejs/@types/*"; \
      if [ "$BOTOCORE_MODELS" != all ]; then \
          echo "path-exclude=$py/botocore/data/*/*"; \
          for m in $BOTOCORE_MODELS; do echo "path-include=$py/botocore/data/$m/*"; done; \
          echo "path-exclude=$py/awscli/botocore/data/*/*"; \
          for m in $CLI_MODELS; do echo "path-include=$py/awscli/botocore/data/$m/*"; done; \
      fi; } >/etc/dpkg/dpkg.cfg.d/tinystack; \
    apt-get update -qq; \
    apt-get install -y -qq --no-install-recommends \
        libmicrohttpd12 libcjson1 libzip4 libyaml-0-2 python3 python3-boto3 >/dev/null; \
    find $py/botocore/data -name '*.json' -exec gzip -9n {} +; \
    find $py/botocore/data -type d -empty -delete
RUN --mount=type=cache,id=tinystack-apt-lists,target=/var/lib/apt/lists \
    apt-get install -y -qq --no-install-recommends nodejs >/dev/null
RUN --mount=type=cache,id=tinystack-apt-lists,target=/var/lib/apt/lists \
    apt-get install -y -qq --no-install-recommends awscli >/dev/null \
    && find /usr/lib/python3/dist-packages/awscli/botocore/data -type d -empty -delete
COPY --from=build /tinystack /usr/local/bin/tinystack
COPY src/tools/awslocal /usr/local/bin/awslocal
COPY --from=sdk /opt/sdk/node_modules /var/runtime/node_modules
# Node resolves a handler's bare `require` and `import` by walking up from
# the handler's folder (wherever tinystack unpacked it) to /node_modules;
# ESM ignores NODE_PATH, and tinystack hands handlers a fresh environment.
# A function's own node_modules, nearer, still comes first, as on AWS.
RUN ln -s /var/runtime/node_modules /node_modules \
    && mkdir -p /var/lib/tinystack /var/lib/localstack \
        /etc/localstack/init/boot.d /etc/localstack/init/start.d \
        /etc/localstack/init/ready.d /etc/localstack/init/shutdown.d
ENV TINYSTACK_HOST=0.0.0.0 NODE_PATH=/var/runtime/node_modules
EXPOSE 4566
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s CMD \
    python3 -S -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:4566/_localstack/health", timeout=2)'
ENTRYPOINT ["/usr/local/bin/tinystack"]
