# tinystack in a container: the same port, health endpoint and
# environment as localstack/localstack, a fraction of the size.
#   docker build -t tinystack . && docker run -p 4566:4566 tinystack
# PERSISTENCE=1 keeps state in /var/lib/tinystack (mount a volume there).
# Lambda: Python handlers run on the image's python3 (with boto3); Node.js
# is not in the image yet.
FROM debian:12-slim AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        gcc make pkg-config libc6-dev libmicrohttpd-dev libcjson-dev \
        libsqlite3-dev libssl-dev libuv1-dev libexpat1-dev zlib1g-dev libzip-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY include ./include
COPY src ./src
COPY tests/deps.sh ./tests/deps.sh
RUN make -j2 all

FROM debian:12-slim
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends \
        libmicrohttpd12 libcjson1 libzip4 python3 python3-boto3 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/tinystack /etc/localstack/init/ready.d
COPY --from=build /src/build/rel/tinystack /usr/local/bin/tinystack
ENV TINYSTACK_HOST=0.0.0.0 TINYSTACK_PORT=4566
EXPOSE 4566
HEALTHCHECK --interval=5s --timeout=2s CMD curl -fs http://127.0.0.1:4566/_localstack/health || exit 1
ENTRYPOINT ["/usr/local/bin/tinystack"]
