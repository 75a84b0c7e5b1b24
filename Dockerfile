# Production image: the frontend is exported at build time and served by the backend on one port;
# migrations run at start. Build: docker build -t hiorder .  Run: docker run -p 8000:8000 \
#   -e DATABASE_URL=postgresql+psycopg://... -e REDIS_URL=redis://... hiorder
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

RUN useradd --create-home --uid 10001 hiorder && mkdir -p /app/uploaded_files && chown -R hiorder /app
USER hiorder

# Menu photos uploaded by admins outlive the container.
ENV REFLEX_UPLOADED_FILES_DIR=/app/uploaded_files
VOLUME ["/app/uploaded_files"]
# The demo provider is served by the app unless a real one is configured (SANDBOX_PAY_MOUNTED=false plus
# PAYMENT_API_BASE and keys). Without REDIS_URL the backend runs one worker; with it, GRANIAN_WORKERS sets how many.
ENV SANDBOX_PAY_MOUNTED=true

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD curl -fsS http://127.0.0.1:8000/ping || exit 1
CMD ["sh", "-c", "python -m hiorder_app upgrade && exec reflex run --env prod --single-port --backend-host 0.0.0.0 --backend-port 8000"]
