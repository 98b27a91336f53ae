#!/usr/bin/env bash
# Runs Keycloak's build step (kc.sh build, ~45 s) unless the distribution was already built with the same options,
# so that an incremental Maven build does not pay for it again. Usage: build-dist.sh <keycloak home> <build options...>
set -euo pipefail
home=$1
shift
marker="$home/lib/quarkus/bookmarket-build-options"
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$*" ]; then
  echo "Keycloak in $home is already built with: $*"
  exit 0
fi
rm -f "$marker"
start=$(date +%s)
# Through sh: the unpacked script may lack its executable bit.
sh "$home/bin/kc.sh" build "$@"
echo "$*" > "$marker"
echo "Keycloak build step took $(( $(date +%s) - start )) s"
