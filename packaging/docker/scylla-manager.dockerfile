# The server (and sctool) image: the one executable, a config for containers, a non-root user, state in a volume.
# Build from the repository root after `npm run build`:
#   docker build -f packaging/docker/scylla-manager.dockerfile -t scylla-manager-ts .
FROM debian:bookworm-slim
RUN groupadd --system scylla-manager \
 && useradd --system --gid scylla-manager --home-dir /var/lib/scylla-manager --shell /usr/sbin/nologin scylla-manager \
 && install -d -o scylla-manager -g scylla-manager -m 0750 /var/lib/scylla-manager
COPY dist/scylla-manager /usr/bin/scylla-manager
RUN ln -s scylla-manager /usr/bin/sctool
COPY packaging/docker/scylla-manager.yaml /etc/scylla-manager/scylla-manager.yaml
USER scylla-manager
ENV SCYLLA_MANAGER_DATA_DIR=/var/lib/scylla-manager
VOLUME /var/lib/scylla-manager
EXPOSE 5080 5090
ENTRYPOINT ["/usr/bin/scylla-manager", "--daemon", "-c", "/etc/scylla-manager/scylla-manager.yaml"]
