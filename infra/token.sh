#!/usr/bin/env bash
# Prints an access token of a demo user of the local system (infra/run.sh), for
#   curl -H "Authorization: Bearer $(infra/token.sh publisher100)" localhost:8085/regRequests/1
# Usage: infra/token.sh publisher100|publisher200|reviewer|admin
# Asks the local Keycloak (port $BOOKMARKET_KEYCLOAK_PORT, default 18180) with the password grant of client
# bookmarket-cli; the demo users' passwords are their names (local only). Needs curl, nothing else.
set -euo pipefail
users="publisher100 publisher200 reviewer admin"
user=${1:-}
if [ -z "$user" ] || [ "$#" -ne 1 ]; then
  echo "Usage: $0 <user>   (one of: $users)" >&2
  exit 2
fi
case " $users " in
  *" $user "*) ;;
  *) echo "Unknown user '$user': the demo users of the local system are $users" >&2; exit 2 ;;
esac
port=${BOOKMARKET_KEYCLOAK_PORT:-18180}
url="http://127.0.0.1:$port/realms/bookmarket/protocol/openid-connect/token"
if ! response=$(curl -sS --max-time 10 -w '\n%{http_code}' -d grant_type=password -d client_id=bookmarket-cli \
    --data-urlencode "username=$user" --data-urlencode "password=$user" "$url" 2>&1); then
  reason=$(printf '%s\n' "$response" | head -n 1 | sed 's/^curl: ([0-9]*) //')
  echo "Keycloak does not answer at 127.0.0.1:$port ($reason). Is the local system running (infra/run.sh)?" \
    "Set BOOKMARKET_KEYCLOAK_PORT if it runs on another port." >&2
  exit 1
fi
status=${response##*$'\n'}
body=${response%$'\n'*}
if [ "$status" = 404 ]; then
  echo "Keycloak at 127.0.0.1:$port has no realm bookmarket (HTTP 404): is this the Book Market's Keycloak?" >&2
  exit 1
fi
if [ "$status" != 200 ]; then
  echo "Keycloak refused a token for $user: HTTP $status $body" >&2
  exit 1
fi
# The access token is a JWT: letters, digits, '-', '_' and dots, so a plain pattern finds it without a JSON tool.
token=$(printf '%s' "$body" | sed -n 's/.*"access_token":"\([A-Za-z0-9._-]*\)".*/\1/p')
if [ -z "$token" ]; then
  echo "Keycloak's answer holds no access token: $body" >&2
  exit 1
fi
printf '%s\n' "$token"
