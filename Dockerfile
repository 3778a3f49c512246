FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN python - <<'PY' > /tmp/requirements.txt && pip install --no-cache-dir -r /tmp/requirements.txt
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
COPY . .
RUN DJANGO_DEBUG=1 python manage.py compilemessages --ignore=.venv \
 && DJANGO_DEBUG=1 DJANGO_MANIFEST_STATIC=1 python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 salescrm && mkdir -p /app/var && chown salescrm /app/var
USER salescrm
EXPOSE 8000
CMD ["gunicorn", "salescrm.wsgi", "--config", "salescrm/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
