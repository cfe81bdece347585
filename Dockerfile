# syntax=docker/dockerfile:1
# skiff container: SERVICES picks what it mounts (e.g. SERVICES=users). Multi-stage: build with the
# full toolchain, run on a slim image with production dependencies only, as a non-root user.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts run below, once their sources are here (the `prepare` script builds the console).
RUN npm install --no-fund --no-audit --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY web ./web
RUN npm run build:server
RUN node web/build.mjs

FROM node:22-bookworm-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-fund --no-audit --ignore-scripts && npm cache clean --force

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY package.json ./
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 CMD ["node", "dist/healthcheck.mjs"]
CMD ["node", "--enable-source-maps", "dist/server.mjs"]
