# Debian trixie: its postgresql-client (17) can dump and restore the PostgreSQL 16 server of docker-compose.yml.
FROM python:3.11-slim-trixie
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango and a font for WeasyPrint (the meeting PDFs); pg_dump and pg_restore for the backups.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY core core
COPY ptf_portal ptf_portal
COPY instances instances
COPY membership membership
COPY meetings meetings
COPY secretariat secretariat
RUN pip install --no-cache-dir .
COPY . .
RUN useradd --create-home ptf && mkdir -p var/media && chown -R ptf var
USER ptf
EXPOSE 8000
