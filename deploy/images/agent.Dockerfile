# syntax=docker/dockerfile:1
# vaultlet agent image: the agent (sidecar, init container, CI once mode) and doctor.
# Build from the repository root:
#   docker build -f deploy/images/agent.Dockerfile -t vaultlet/agent:0.1.0 .
#
# Runtime: distroless Node 24, uid 65532, no shell, nothing written to the root
# filesystem. /usr/local/bin/vaultlet is a symlink to the bundle, whose shebang
# names the image's node, so a pod command ["vaultlet", "agent", ...] runs
# without any shell.

ARG NODE_VERSION=24
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY shared ./shared
COPY agent ./agent
COPY webhook ./webhook
COPY deploy/cli ./deploy/cli
COPY deploy/images ./deploy/images
RUN node deploy/images/build-bundles.ts --only=agent --out=/out/app --shebang=/nodejs/bin/node \
 && mkdir -p /out/usr/local/bin \
 && ln -s /app/vaultlet-agent.mjs /out/usr/local/bin/vaultlet

FROM gcr.io/distroless/nodejs${NODE_VERSION}-debian12:nonroot
# V8 sized for a sidecar, not a server (see test/bench/proc-stats.ts AGENT_NODE_OPTIONS)
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-semi-space-size=1 --max-old-space-size=64" \
    PATH=/usr/local/bin:/nodejs/bin:/usr/bin:/bin
COPY --from=build /out/ /
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/vaultlet-agent.mjs"]
CMD ["agent", "-help"]
