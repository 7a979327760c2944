FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml setup.py README.md ./
COPY service ./service
COPY workers ./workers
COPY alembic ./alembic
COPY alembic.ini ./
COPY config ./config
# A C compiler only while installing: the matcher's inner loops (service/core/_kernels.c) and its Python (mypyc,
# setup.py) are compiled.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install --upgrade pip && pip install . \
    && apt-get purge -y gcc libc6-dev && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 screening && mkdir -p /app/var && chown screening /app/var
USER screening
EXPOSE 8000
CMD ["screening", "serve", "--host", "0.0.0.0", "--port", "8000"]
