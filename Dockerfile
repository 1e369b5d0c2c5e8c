# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the full dependency set.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# Runtime stage: compiled code and production dependencies only, as a non-root user.
# It expects an external PostgreSQL: set DATABASE_URL (the runtime login), MIGRATION_DATABASE_URL (the
# owner login), JWT_SECRET and CRM_ADMIN_PASSWORD.
FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Liveness, not readiness: a database outage must not get the container restarted (it recovers by itself).
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# On SIGTERM the service drains for SHUTDOWN_DRAIN_SECONDS (25): give it longer (docker stop -t 30, compose stop_grace_period: 30s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
