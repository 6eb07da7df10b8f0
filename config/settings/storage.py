"""Where private files live: a folder on this machine, or a bucket of
S3-compatible object storage that every web and worker container, on any
number of hosts, shares.

Set ``PRIVATE_STORAGE_S3_BUCKET`` and the files go to the bucket (through
django-storages); leave it empty and they go to ``PRIVATE_STORAGE_ROOT``.
Either way ``core.encrypted_files.EncryptedStorage`` wraps the storage, so
what reaches the disk or the bucket is ciphertext, and the code reaches the
files through the Storage API only (no paths). Every variable is in
`.env.example`.
"""

from __future__ import annotations

from typing import Any

import environ

S3_BACKEND = "storages.backends.s3.S3Storage"


def s3_options(env: environ.Env) -> dict[str, Any] | None:
    """django-storages' options for the bucket, or None when none is set."""
    bucket = env.str("PRIVATE_STORAGE_S3_BUCKET", default="")
    if not bucket:
        return None
    return {
        "bucket_name": bucket,
        # Empty: Amazon S3 itself; otherwise the provider's address
        # (https://s3.example.net, a MinIO, Garage or Ceph gateway...).
        "endpoint_url": env.str("PRIVATE_STORAGE_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("PRIVATE_STORAGE_S3_REGION", default="") or None,
        # Empty: boto3's own chain (AWS_* variables, an instance role).
        "access_key": env.str("PRIVATE_STORAGE_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY", default="") or None,
        # A folder inside the bucket, so one bucket may hold other things.
        "location": env.str("PRIVATE_STORAGE_S3_PREFIX", default="").strip("/"),
        # "path" for servers without per-bucket host names (most MinIO set-ups).
        "addressing_style": env.str("PRIVATE_STORAGE_S3_ADDRESSING_STYLE", default="") or None,
        "signature_version": "s3v4",
        # Never replace a file that has the name: a second report of the
        # same day gets a name of its own, as on a folder. (The key rotation
        # replaces a file on purpose, by its own path: EncryptedStorage.replace.)
        "file_overwrite": False,
        # The objects are ciphertext, whatever their names say; no ACL is
        # sent, so the bucket's own (private) policy applies.
        "object_parameters": {"ContentType": "application/octet-stream"},
        "default_acl": None,
        "querystring_auth": True,
    }


def private_storages(env: environ.Env, *, root: str) -> dict[str, dict[str, Any]]:
    """``STORAGES["default"]`` and ``STORAGES["private"]``: both the bucket
    when one is configured, both the folder ``root`` otherwise."""
    options = s3_options(env)
    if options is None:
        backend = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        }
    else:
        backend = {"BACKEND": S3_BACKEND, "OPTIONS": options}
    return {
        "default": {**backend, "OPTIONS": dict(backend["OPTIONS"])},
        "private": {**backend, "OPTIONS": dict(backend["OPTIONS"])},
    }
