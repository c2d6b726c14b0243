# syntax=docker/dockerfile:1
# The image the Helm chart runs: the compiled orchestrator and example participants on Node 20,
# run with plain node (no tsx), as a non-root user, fit for a read-only root filesystem.
#
#   docker build -t saga-orchestrator:0.1.0 .
#   docker run --rm -e KAFKA_BROKERS=... -e REDIS_URL=... -p 8080:8080 saga-orchestrator:0.1.0
#   docker run --rm ... saga-orchestrator:0.1.0 dist/participants/main.js inventory
#
# Without Docker or a registry: `bash scripts/build-image.sh` builds it with podman on a Node base
# image made from Debian's packages (NODE_IMAGE); see docs/container-image.md.

ARG NODE_IMAGE=node:20-slim

# Build: every dependency (tsc and the console's bundler are dev dependencies), then `npm run
# build` into dist/ (the operator console's bundle into dist/console/, served at /ui).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The sources the build compiles (wire/, orchestrator/, sagas/, participants/), the tsconfig files and
# scripts/build-dist.ts and build-console.ts; .dockerignore keeps the rest out.
COPY . .
RUN npm run build

# Runtime: production dependencies only, and the compiled code.
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
  && npm cache clean --force \
  && rm -rf /root/.npm /tmp/*
COPY --from=build /app/dist ./dist
# The image's `node` user (uid 1000). Numeric, so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "--enable-source-maps"]
CMD ["dist/orchestrator/main.js"]
