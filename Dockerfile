FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY service ./service
COPY workers ./workers
COPY alembic ./alembic
COPY alembic.ini ./
COPY config ./config
RUN pip install --upgrade pip && pip install .

RUN useradd --create-home --uid 10001 screening && mkdir -p /app/var && chown screening /app/var
USER screening
EXPOSE 8000
CMD ["screening", "serve", "--host", "0.0.0.0", "--port", "8000"]
