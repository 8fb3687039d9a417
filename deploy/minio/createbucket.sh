#!/bin/sh
# One-shot job (service "createbucket", image minio/mc): the private uploads bucket,
# the application's own key limited to that bucket, and the read grant used by nginx.
# Safe to run again at every `docker compose up`.
set -eu
: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${S3_BUCKET:?}"
: "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}" "${S3_PROXY_SECRET:?}"

tmp="${TMPDIR:-/tmp}"
mc alias set store http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "store/$S3_BUCKET"

# The application may read, write and delete objects of its bucket, nothing else.
printf '%s' '{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetBucketLocation","s3:ListBucket","s3:ListBucketMultipartUploads"],
  "Resource":["arn:aws:s3:::'"$S3_BUCKET"'"]},
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject",
  "s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],
  "Resource":["arn:aws:s3:::'"$S3_BUCKET"'/*"]}]}' > "$tmp/csj-app-policy.json"
mc admin policy create store csj-app "$tmp/csj-app-policy.json"
mc admin user add store "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
# "already attached" on a second run is fine; the check below is what counts.
mc admin policy attach store csj-app --user "$S3_ACCESS_KEY" 2>/dev/null || true
mc admin user info store "$S3_ACCESS_KEY" | grep -q csj-app

# No listing and no anonymous access — except GetObject for requests that carry the
# secret Referer. Only nginx sends it, from its internal /_protected/ location, after
# Django has checked the user's permission (X-Accel-Redirect). MinIO publishes no port.
printf '%s' '{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],
  "Resource":["arn:aws:s3:::'"$S3_BUCKET"'/*"],
  "Condition":{"StringEquals":{"aws:Referer":["'"$S3_PROXY_SECRET"'"]}}}]}' > "$tmp/csj-bucket-policy.json"
mc anonymous set-json "$tmp/csj-bucket-policy.json" "store/$S3_BUCKET"
echo "bucket $S3_BUCKET ready (private; app key $S3_ACCESS_KEY)"
