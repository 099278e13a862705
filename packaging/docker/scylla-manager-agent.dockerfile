# The agent image, for nodes that run Scylla in containers: run it in the Scylla container's network namespace
# with Scylla's data directory mounted at the same path, and the agent config (auth_token at least) mounted over
# /etc/scylla-manager-agent/scylla-manager-agent.yaml. Build from the repository root after `npm run build`:
#   docker build -f packaging/docker/scylla-manager-agent.dockerfile -t scylla-manager-ts-agent .
FROM debian:bookworm-slim
COPY dist/scylla-manager /usr/bin/scylla-manager-agent
COPY packaging/etc/scylla-manager-agent.yaml /etc/scylla-manager-agent/scylla-manager-agent.yaml
EXPOSE 10001 5090
ENTRYPOINT ["/usr/bin/scylla-manager-agent", "-c", "/etc/scylla-manager-agent/scylla-manager-agent.yaml"]
