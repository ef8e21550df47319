# Switchboard's container image: one image for every role (ROLE=all|api|worker, README "Scaling out").
# Built in stages so the image holds the built JavaScript and the production dependencies only, no compiler,
# no tests, no dev tools. `docker build -t switchboard .`; compose.yaml builds and runs it with PostgreSQL and Redis.

# --- build: every dependency, then `npm run build` (JavaScript into dist/, entry point dist/src/main.js)
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- production dependencies only, installed apart so no dev dependency can slip into the image
FROM node:20-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime
FROM node:20-slim AS runtime
# redis-server lets the image also run alone (ROLE=all without REDIS_URL: Switchboard starts its own, with its
# data in DATA_DIR); with REDIS_URL, as in compose.yaml, it is never started.
RUN apt-get update \
  && apt-get install -y --no-install-recommends redis-server \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/dist ./dist
# The embedded database, blobs and generated keys live in DATA_DIR: owned by the user the server runs as (the
# image's `node` user, uid 1000), so a named volume mounted there starts out writable by it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 3000: HTTP (API, webhooks, console; /healthz, /readyz, /metrics in every role). 2525: inbound SMTP (api, all).
EXPOSE 3000 2525
# Ready means the database and Redis answer (/readyz); node, since the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
