FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install --no-install-recommends -y gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . \
 && DEBUG=true python manage.py compilemessages --ignore '.venv' --verbosity 0 \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
RUN useradd --create-home accord && mkdir -p var && chown -R accord var
USER accord
EXPOSE 8000
