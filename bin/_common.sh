# Shared by bin/run, bin/test and bin/bench: find a Python >= 3.12, build .venv, install the project.
# Sourced, not executed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"

_py_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
  local c
  for c in "${PYTHON:-}" python3.13 python3.12 python3.14 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && _py_ok "$c" && { command -v "$c"; return 0; }
  done
  if command -v pyenv >/dev/null 2>&1; then
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.|$)' | sort -rV); do
      c="$(pyenv prefix "$v" 2>/dev/null)/bin/python3"
      [ -x "$c" ] && _py_ok "$c" && { echo "$c"; return 0; }
    done
  fi
  for c in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    [ -x "$c" ] && _py_ok "$c" && { echo "$c"; return 0; }
  done
  return 1
}

ensure_venv() {  # ensure_venv EXTRAS  (e.g. "dev" or "dev,embedded")
  local extras="$1" stamp
  if [ ! -x "$VENV/bin/python" ] || ! _py_ok "$VENV/bin/python"; then
    local py
    if ! py="$(find_python)"; then
      echo "salescrm needs Python 3.12 or newer and found none." >&2
      echo "Install one (for example 'pyenv install 3.13', 'apt-get install python3.13' or 'brew install python@3.13')," >&2
      echo "or point PYTHON at it: PYTHON=/path/to/python3.13 $0" >&2
      exit 1
    fi
    echo "==> creating .venv with $py ($("$py" --version))"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
  fi
  # Reinstall only when pyproject.toml or the extras changed.
  stamp="$VENV/.installed-$(echo "$extras" | tr ',' '-')-$(cksum < pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ]; then
    echo "==> installing the dependencies of salescrm[$extras] into .venv"
    # Dependencies only: the project itself runs from this folder (manage.py, pytest), not site-packages.
    "$VENV/bin/python" - "$extras" > "$VENV/requirements.txt" <<'PY'
import sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
reqs = list(project["dependencies"])
for extra in filter(None, sys.argv[1].split(",")):
    reqs += project["optional-dependencies"][extra]
print("\n".join(reqs))
PY
    "$VENV/bin/python" -m pip install -q -r "$VENV/requirements.txt"
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

# True when a TCP port answers on 127.0.0.1.
port_open() { "$VENV/bin/python" - "$1" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(0.5)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
}

# The run mode's variables (bin/run): production unless DEV=1 (bin/run --dev or SALESCRM_DEV=1). A local
# run has no TLS, so no HTTPS redirect, secure cookies or HSTS; the secret key is generated once and kept
# in $SALESCRM_VAR_DIR/secret_key (never in git).
run_mode_env() {
  if [ "${DEV:-0}" = 1 ]; then
    export DJANGO_DEBUG=1
  else
    if [ "${DJANGO_DEBUG:-0}" = 1 ]; then
      echo "==> DJANGO_DEBUG=1 ignored: bin/run runs in production mode unless --dev or SALESCRM_DEV=1" >&2
    fi
    export DJANGO_DEBUG=0
  fi
  if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    local key_file="$SALESCRM_VAR_DIR/secret_key"
    if [ ! -s "$key_file" ]; then
      (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n=+/' > "$key_file")
    fi
    DJANGO_SECRET_KEY="$(cat "$key_file")"
    export DJANGO_SECRET_KEY
  fi
  export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1,[::1]}"
  export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
  export DJANGO_SECURE_COOKIES="${DJANGO_SECURE_COOKIES:-0}"
  export DJANGO_HSTS_SECONDS="${DJANGO_HSTS_SECONDS:-0}"
  # Alert emails are printed to the log unless an SMTP server is configured.
  export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
}
