# syntax=docker/dockerfile:1
# Social Tech Atlas API image.
#   docker build -t social-tech-atlas .
# The image contains the `atlas` binary (migrations and OpenAPI are embedded), seed-data/
# and the entrypoint (migrate + seed + serve). Shared reference data (country borders,
# GeoNames) is NOT baked in: mount it at /shared-data (see docker-compose.yml).

############################ build ############################
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# Cache mounts keep the crates.io registry and target dir between builds (BuildKit).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p atlas-api --bin atlas \
 && install -D -m 0755 target/release/atlas /out/atlas

############################ runtime ##########################
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 atlas \
 && useradd --system --uid 10001 --gid atlas --home-dir /app --shell /usr/sbin/nologin atlas \
 && mkdir -p /app/var/mail /shared-data \
 && chown -R atlas:atlas /app/var

WORKDIR /app
COPY --from=build /out/atlas /usr/local/bin/atlas
COPY seed-data/ /app/seed-data/
COPY --chmod=0755 scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

ENV ATLAS_ADDR=0.0.0.0:8080 \
    ATLAS_SEED_DIR=/app/seed-data \
    ATLAS_SHARED_DATA=/shared-data \
    RUST_LOG=info

USER atlas
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
