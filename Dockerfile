# syntax=docker/dockerfile:1
# Build stage: all dependencies, compile TypeScript, bundle the commands (dist/bin).
FROM node:20-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY schemas ./schemas
COPY src ./src
COPY bench ./bench
COPY scripts/bundle.mjs ./scripts/
RUN npm run build

# Runtime stage: production dependencies only, non-root user.
FROM node:20-slim
WORKDIR /airbyte/integration_code
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/dist ./dist
COPY schemas ./schemas
COPY catalog.sample.json README.md ./
RUN groupadd --system airbyte && useradd --system --gid airbyte --home-dir /airbyte airbyte \
  && mkdir -p /airbyte && chown -R airbyte:airbyte /airbyte
USER airbyte
ENV AIRBYTE_ENTRYPOINT="node /airbyte/integration_code/dist/bin/intercom-connector.js"
ENTRYPOINT ["node", "/airbyte/integration_code/dist/bin/intercom-connector.js"]
CMD ["spec"]
LABEL io.airbyte.name="intercom-connector"
LABEL io.airbyte.version="0.1.0"
