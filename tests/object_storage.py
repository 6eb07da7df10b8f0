"""Private files in a real S3-compatible server: moto's, over HTTP on
127.0.0.1, in a thread of the test process (one per pytest process). A test
that asks for ``private_bucket`` gets a bucket of its own, and the private
storage pointed at it exactly as production would be: through the
PRIVATE_STORAGE_S3_* variables and config/settings/storage.py. A Celery
worker that the test starts inherits the variables (tests/processes.py
copies the environment) and so writes to the same bucket.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest


@pytest.fixture(scope="session")
def s3_server():
    """The address of a running S3-compatible server."""
    server_module = pytest.importorskip(
        "moto.server", reason="moto[s3] and flask (requirements.lock's dev pins) are not installed"
    )
    pytest.importorskip("storages.backends.s3", reason="django-storages[s3] is not installed")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class Bucket:
    name: str
    prefix: str
    client: object  # a boto3 S3 client, past the storage: what the server holds

    def objects(self) -> dict[str, bytes]:
        """Every object under the prefix, by its storage name, as stored."""
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=f"{self.prefix}/")
        return {
            item["Key"].removeprefix(f"{self.prefix}/"): self.raw(
                item["Key"].removeprefix(f"{self.prefix}/")
            )
            for item in listing.get("Contents", [])
        }

    def raw(self, name: str) -> bytes:
        answer = self.client.get_object(Bucket=self.name, Key=f"{self.prefix}/{name}")
        return answer["Body"].read()

    def content_type(self, name: str) -> str:
        return self.client.head_object(Bucket=self.name, Key=f"{self.prefix}/{name}")["ContentType"]

    def put_raw(self, name: str, content: bytes) -> None:
        """A file as an older version (before encryption) left it."""
        self.client.put_object(Bucket=self.name, Key=f"{self.prefix}/{name}", Body=content)


@pytest.fixture
def private_bucket(s3_server, settings, monkeypatch, _private_storage):
    """Private files in a fresh bucket for this test (and its workers)."""
    import boto3
    import environ

    from config.settings.storage import private_storages

    name = f"tinig-test-{uuid.uuid4().hex[:16]}"
    variables = {
        "PRIVATE_STORAGE_S3_BUCKET": name,
        "PRIVATE_STORAGE_S3_ENDPOINT_URL": s3_server,
        "PRIVATE_STORAGE_S3_REGION": "us-east-1",
        "PRIVATE_STORAGE_S3_ACCESS_KEY_ID": "test-access-key",
        "PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY": "test-secret-key",
        "PRIVATE_STORAGE_S3_PREFIX": "private",
        "PRIVATE_STORAGE_S3_ADDRESSING_STYLE": "path",
    }
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test-access-key",
        aws_secret_access_key="test-secret-key",
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        **private_storages(environ.Env(), root=str(settings.PRIVATE_STORAGE_ROOT)),
    }
    bucket = Bucket(name=name, prefix="private", client=client)
    yield bucket
    for key in bucket.objects():
        client.delete_object(Bucket=name, Key=f"{bucket.prefix}/{key}")
    client.delete_bucket(Bucket=name)
