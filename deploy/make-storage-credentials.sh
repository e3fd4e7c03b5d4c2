#!/usr/bin/env bash
# Creates (or keeps) one MinIO access key per service in namespace $1, as the Secrets '<service>-storage' (keys
# access-key, secret-key). The services read only their own; the setup Job (minio-bucket-setup) creates the MinIO user
# with the service's policy. Existing Secrets are kept, so re-running never locks a running service out; delete one
# to rotate it, then re-run this and the Job.
set -euo pipefail
ns="${1:?usage: deploy/make-storage-credentials.sh <namespace>}"
for service in ingest-service preprocess-service trainer-service evaluator-service; do
  if kubectl -n "$ns" get secret "${service}-storage" >/dev/null 2>&1; then
    echo "# ${service}-storage exists; kept" >&2
    continue
  fi
  kubectl -n "$ns" create secret generic "${service}-storage" \
    --from-literal=access-key="${service%-service}-$(openssl rand -hex 6)" \
    --from-literal=secret-key="$(openssl rand -hex 24)" >/dev/null
  echo "# ${service}-storage created" >&2
done
