# One image for every Interchange service; each compose service chooses its entry point:
#   node dist/subgraphs/customers/index.js | node dist/subgraphs/orders/index.js
#   | node dist/subgraphs/access/index.js | node dist/router/index.js
# At run time the services read schema/*.graphql, found from the folder that holds package.json.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY infra ./infra
COPY router ./router
COPY subgraphs ./subgraphs
COPY scripts ./scripts
RUN npm run build

FROM node:20-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# A larger young generation: GraphQL servers make many short-lived objects per request, and with
# V8's default most of them were promoted and collected again by the slower old-space GC.
ENV NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
# Owned by root and only read by the service, which runs as the unprivileged `node` user.
COPY package.json package-lock.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY schema ./schema
USER node
