#!/usr/bin/env bash
# Creates (or replaces) the Secret pipeline-api-tokens in namespace $1: one random API token per role, stored as its
# SHA-256 for the services and, for the viewer, also in clear for the Prometheus scraper. Prints the tokens once.
set -euo pipefail
ns="${1:?usage: deploy/make-api-tokens.sh <namespace>}"
args=()
for role in viewer predictor operator; do
  token="mp_${role}_$(openssl rand -hex 24)"
  sha=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
  args+=(--from-literal="${role}-sha256=${sha}")
  [ "$role" = viewer ] && args+=(--from-literal="viewer-token=${token}")
  echo "export PIPELINE_TOKEN_${role^^}=${token}"
done
kubectl -n "$ns" create secret generic pipeline-api-tokens "${args[@]}" --dry-run=client -o yaml | kubectl -n "$ns" apply -f - >/dev/null
echo "# Secret pipeline-api-tokens written to namespace $ns; the services pick it up on their next restart." >&2
