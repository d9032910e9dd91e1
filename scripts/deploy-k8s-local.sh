#!/usr/bin/env bash
# Deploys ComputeSandbox to the local single-node test cluster (the k8s-local kit: no registry, images
# are imported into the node's containerd) with k8s/overlays/local:
#   1. builds the executor and API images if their inputs changed (scripts/build-*-image.sh);
#   2. imports both into the cluster (the kit's import-image.sh; an unchanged image is skipped);
#   3. creates the file-storage folder of the hostPath PersistentVolume, owned by the API's uid;
#   4. kubectl apply -k k8s/overlays/local, restarts the API when an image changed, waits until Ready.
# Idempotent: a second run changes nothing. Run as root on the cluster's machine.
#
# Environment (all optional):
#   K8S_LOCAL_KIT   the kit's folder (default: shared/tools/k8s-local beside the repository, or one up)
#   KUBECONFIG      default: /var/tmp/k8s-local/kubeconfig
#   KUBECTL         default: /var/tmp/k8s-local/bin/kubectl when present, else kubectl on PATH
#   FILES_DIR       the PersistentVolume's folder; must match k8s/overlays/local/persistentvolume.yaml
#                   (default: /var/tmp/computesandbox-k8s-local/files)
#   KEEP_OLD_IMAGES=1  passed on to the image builds
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'deploy-k8s-local: %s\n' "$*" >&2; }
die() { printf 'deploy-k8s-local: ERROR: %s\n' "$*" >&2; exit 1; }

if [ -n "${K8S_LOCAL_KIT:-}" ]; then
  kit="$K8S_LOCAL_KIT"
else
  # shared/ sits beside the repository (or beside the folder of its worktrees).
  kit="$(cd .. && pwd)/shared/tools/k8s-local"
  [ -d "$kit" ] || kit="$(cd ../.. && pwd)/shared/tools/k8s-local"
fi
export KUBECONFIG="${KUBECONFIG:-/var/tmp/k8s-local/kubeconfig}"
if [ -n "${KUBECTL:-}" ]; then
  kubectl_cli="$KUBECTL"
elif [ -x /var/tmp/k8s-local/bin/kubectl ]; then
  kubectl_cli=/var/tmp/k8s-local/bin/kubectl
else
  kubectl_cli="$(command -v kubectl || true)"
fi
files_dir="${FILES_DIR:-/var/tmp/computesandbox-k8s-local/files}"
namespace=computesandbox
api_uid=10001

[ "$(id -u)" -eq 0 ] || die "run as root (the kit's import-image.sh and the storage folder need it)."
[ -x "$kit/import-image.sh" ] || die "no k8s-local kit at $kit. Fix: set K8S_LOCAL_KIT to its folder."
[ -n "$kubectl_cli" ] || die "no kubectl found. Fix: run the kit's setup.sh (it builds one) or set KUBECTL."
kubectl() { "$kubectl_cli" "$@"; }
"$kit/status.sh" >/dev/null 2>&1 || die "the local cluster is not up ($kit/status.sh). Fix: run $kit/up.sh (or setup.sh) and try again."
grep -qF "path: $files_dir" k8s/overlays/local/persistentvolume.yaml ||
  die "FILES_DIR=$files_dir is not the path in k8s/overlays/local/persistentvolume.yaml; change both together."

executor_image="$(bash scripts/build-executor-image.sh | tail -n 1)"
api_image="$(bash scripts/build-api-image.sh | tail -n 1)"
grep -qF "APP_EXECUTOR_IMAGE=$executor_image" k8s/overlays/local/kustomization.yaml ||
  die "the executor image is $executor_image, but k8s/overlays/local/kustomization.yaml names another APP_EXECUTOR_IMAGE. Fix: unset EXECUTOR_IMAGE/APP_EXECUTOR_IMAGE, or change the overlay."

import_log="$("$kit/import-image.sh" "$executor_image" "$api_image" 2>&1)" || { printf '%s\n' "$import_log" >&2; die "importing the images failed (see above)."; }
printf '%s\n' "$import_log" >&2
changed=0
grep -q ' as ' <<<"$import_log" && changed=1

install -d -o "$api_uid" -g "$api_uid" -m 0750 "$files_dir"
chown "$api_uid:$api_uid" "$files_dir"

existed=0
kubectl -n "$namespace" get deployment computesandbox-api >/dev/null 2>&1 && existed=1
log "kubectl apply -k k8s/overlays/local"
kubectl apply -k k8s/overlays/local >&2 || die "kubectl apply failed (see above)."
if [ "$existed" = 1 ] && [ "$changed" = 1 ]; then
  log "an image changed: restarting the API (its executor pods go with it)"
  kubectl -n "$namespace" rollout restart deployment computesandbox-api >&2
fi
if ! kubectl -n "$namespace" rollout status deployment computesandbox-api --timeout=180s >&2; then
  kubectl -n "$namespace" get pods -o wide >&2 || true
  kubectl -n "$namespace" get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 15 >&2 || true
  die "the API did not become Ready within 180 s (pods and events above; logs: kubectl -n $namespace logs deployment/computesandbox-api)."
fi
kubectl -n "$namespace" get pods -o wide >&2
log "ready: curl http://127.0.0.1:50090/healthz (the local overlay runs the API on the node's network)"
