# Production image, one for every role: HIORDER_ROLE=ordering|store|all picks what a process serves.
# The frontend is exported at build time and served by the backend on one port (8000). Migrations are
# not run at start (several replicas would race): run them once first, as compose's `migrate` service
# and the Kubernetes Job do. Build: docker build -t hiorder .  By hand:
#   docker run --rm -e DATABASE_URL=... hiorder python -m hiorder_app upgrade
#   docker run -p 8000:8000 -e DATABASE_URL=postgresql+psycopg://... -e REDIS_URL=redis://... \
#     -e SECRET_KEY=... -e PAYMENT_API_BASE=... -e PAYMENT_SECRET_KEY=... -e PAYMENT_CLIENT_KEY=... hiorder
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    REFLEX_TELEMETRY_ENABLED=false \
    REFLEX_DIR=/app/.reflex-dir \
    BUN_INSTALL_CACHE_DIR=/tmp/bun-cache \
    PATH=/app/.tools/node_modules/.bin:$PATH

# Debian's npm only fetches Node >= 22.22 and bun from the npm registry, which Reflex 0.10 needs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends npm ca-certificates curl unzip \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN npm install --prefix .tools --no-audit --no-fund --loglevel=error node@22.23.3 bun@1.4.5 \
 && apt-get purge -y npm && apt-get autoremove -y

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY rxconfig.py alembic.ini ./
COPY reflex.lock ./reflex.lock
COPY alembic ./alembic
COPY assets ./assets
COPY hiorder_app ./hiorder_app

ENV REFLEX_BUN_PATH=/app/.tools/node_modules/.bin/bun
# Compile and export the production frontend now, so the container starts without building it.
RUN reflex export --frontend-only --no-zip --env prod && rm -rf /tmp/bun-cache

# Numeric ids: Kubernetes' runAsNonRoot can only verify a numeric USER; the manifests use the same ids.
RUN groupadd --gid 10001 hiorder && useradd --create-home --uid 10001 --gid 10001 hiorder \
 && mkdir -p /app/uploaded_files && chown -R 10001:10001 /app
USER 10001:10001

# Menu photos uploaded by admins outlive the container.
ENV REFLEX_UPLOADED_FILES_DIR=/app/uploaded_files
VOLUME ["/app/uploaded_files"]
# Fail closed: as production, the app refuses the default SECRET_KEY and test payment keys (HIORDER_DEMO=true
# allows them, for demos only). The sandbox provider is never mounted here: demos run it as its own container
# (`python -m hiorder_app sandbox-pay`) and point PAYMENT_API_BASE at it. Without REDIS_URL the backend runs
# one worker; with it, set GRANIAN_WORKERS (the default counts the node's CPUs, not the container's).
ENV HIORDER_ENV=production \
    HIORDER_ROLE=all \
    SANDBOX_PAY_MOUNTED=false

EXPOSE 8000
# Liveness: /ping answers while the process runs; /_health (database and Redis) is the readiness check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD curl -fsS http://127.0.0.1:8000/ping || exit 1
CMD ["reflex", "run", "--env", "prod", "--single-port", "--backend-host", "0.0.0.0", "--backend-port", "8000"]
