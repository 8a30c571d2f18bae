# dvc-bot: a multi-stage build. The runtime image holds the one static-ish binary (rustls, no
# OpenSSL), CA certificates and tzdata, and runs as an unprivileged user.
#   docker build -t dvc-bot .
#   docker run --rm -e TELOXIDE_TOKEN=… -e DVC_OFFICER_TOKEN=… -v dvc-data:/data dvc-bot run

FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, so that a source change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src tests/suite && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && touch tests/suite/main.rs && cargo build --release --locked --bin dvc-bot
COPY . .
# The commit shown in the dvc_build_info metric: docker build --build-arg DVC_GIT_COMMIT=$(git rev-parse --short HEAD)
ARG DVC_GIT_COMMIT=""
ENV DVC_GIT_COMMIT=${DVC_GIT_COMMIT}
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin dvc-bot

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home dvc
COPY --from=build /src/target/release/dvc-bot /usr/local/bin/dvc-bot
USER dvc
WORKDIR /data
ENV DVC_DATA_DIR=/data \
    DVC_ADMIN_LISTEN=0.0.0.0:9090 \
    DVC_WEBHOOK_LISTEN=0.0.0.0:8443
VOLUME ["/data"]
EXPOSE 8443 9090
ENTRYPOINT ["dvc-bot"]
CMD ["run"]
