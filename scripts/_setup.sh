# shellcheck shell=bash
# Setup shared by scripts/serve and scripts/test. Sourced, not run; the caller sets -euo pipefail.
#
#   md_system_packages  Debian packages (apt only as root, and only when one is missing)
#   md_venv             .venv with python3 >= 3.11 and `pip install -e ".[dev]"` (skipped when
#                       pyproject.toml and the interpreter are unchanged since the last install)
#   md_migrate          alembic upgrade head on DATABASE_URL, or instance/migrantdesk.db

MD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MD_VENV="$MD_ROOT/.venv"
MD_STAMP="$MD_VENV/.migrantdesk-install"

# WeasyPrint needs Pango and HarfBuzz (subset for font embedding); leaflets use Noto fonts;
# pdftoppm (poppler-utils) and chromium let tests and people look at PDFs and pages.
MD_SYSTEM_PACKAGES=(
  python3-venv python3-dev build-essential
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  fonts-noto-core poppler-utils chromium
)

md_log() { printf '==> %s\n' "$*" >&2; }

md_system_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    md_log "not a Debian system: install the equivalents of ${MD_SYSTEM_PACKAGES[*]} yourself"
    return 0
  fi
  local package missing=()
  for package in "${MD_SYSTEM_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != installed ]; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    md_log "missing system packages (not root, so not installing): ${missing[*]}"
    md_log "install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
    return 0
  fi
  md_log "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -q update
  apt-get -q install -y --no-install-recommends "${missing[@]}"
}

md_python() {  # prints the first interpreter >= 3.11: $PYTHON, python3, python3.13 … python3.11
  local candidate
  for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  md_log "MigrantDesk needs Python >= 3.11 (set PYTHON=/path/to/python3.x)"
  return 1
}

md_venv() {
  if ! "$MD_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
       >/dev/null 2>&1; then
    local python
    python="$(md_python)"
    md_log "creating .venv with $python ($("$python" --version 2>&1))"
    rm -rf "$MD_VENV"
    "$python" -m venv "$MD_VENV"
    rm -f "$MD_STAMP"
  fi
  # Reinstall only when the dependencies, the interpreter or the checkout's place changed.
  local stamp
  stamp="$(cat "$MD_ROOT/pyproject.toml" <("$MD_VENV/bin/python" -VV) <(echo "$MD_ROOT") \
           | sha256sum | cut -d' ' -f1)"
  if [ -f "$MD_STAMP" ] && [ "$(cat "$MD_STAMP")" = "$stamp" ]; then
    return 0
  fi
  md_log "installing MigrantDesk and its dependencies into .venv (pip install -e \".[dev]\")"
  (cd "$MD_ROOT" && "$MD_VENV/bin/python" -m pip install --disable-pip-version-check \
     --quiet -e ".[dev]")
  echo "$stamp" >"$MD_STAMP"
}

md_migrate() {
  md_log "migrating the database: alembic upgrade head"
  (cd "$MD_ROOT" && "$MD_VENV/bin/alembic" -c alembic.ini upgrade head)
}

md_count_offices() {  # prints the number of rows in offices (the database must be migrated)
  (cd "$MD_ROOT" && "$MD_VENV/bin/python" - <<'PY'
from sqlalchemy import create_engine, text

from migrantdesk.config import database_url

engine = create_engine(database_url())
with engine.connect() as connection:
    print(connection.execute(text("SELECT count(*) FROM offices")).scalar_one())
engine.dispose()
PY
  )
}

md_safe_url() {  # DATABASE_URL with any password hidden, for messages
  printf '%s\n' "${1:-}" | sed -E 's#(//[^:/@]*):[^@/]*@#\1:***@#'
}

md_translations() {  # compiles locales/*/LC_MESSAGES/messages.po to .mo (not kept in git)
  (cd "$MD_ROOT" && "$MD_VENV/bin/pybabel" compile --use-fuzzy -d locales -D messages \
     >/dev/null)
}
