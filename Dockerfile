# The API, the worker and both simulators (gateway, data platform) share one image;
# docker-compose.yml picks the command. test/startup/productionBuild.test.ts runs what
# this image runs: the compiled build with only production dependencies (no tsx, no
# embedded PostgreSQL).

# Production dependencies only.
FROM node:20-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The compiled build (TypeScript needs the development dependencies).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY migrations migrations
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /app/package.json ./
COPY --from=dependencies /app/node_modules node_modules
COPY --from=build /app/dist dist
# DATA_DIR is only used by the embedded dev parts, but start-up creates it.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000 9464 9465
CMD ["node", "dist/src/cli/start.js", "api"]
