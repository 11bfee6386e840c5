#!/usr/bin/env bash
# Refreshes the vendored reference data in spec/ (Intercom's OpenAPI descriptions and the
# Airbyte/Singer protocol schemas) from a checkout that holds them, e.g.
#   bash scripts/refresh-spec.sh ../shared
# The source folder needs intercom-openapi/ (2.14/, 2.15/, LICENSE.md, SOURCE.md, API-NOTES.md)
# and protocols/. Nothing in the tests or the connector reads anything outside this repository.
set -euo pipefail
src=${1:?usage: scripts/refresh-spec.sh <folder with intercom-openapi/ and protocols/>}
cd "$(dirname "$0")/.."
for part in intercom-openapi protocols; do
  [ -d "$src/$part" ] || { echo "refresh-spec: $src/$part is missing" >&2; exit 1; }
  rm -rf "spec/$part"
  cp -R "$src/$part" "spec/$part"
  chmod -R u+w "spec/$part"
done
echo "spec/ refreshed from $src; review with: git diff --stat spec/"
