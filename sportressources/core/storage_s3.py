"""The S3 backend of ``core.storage``: photos in a bucket of an S3-compatible object store, shared
by every app server (Amazon S3, Scaleway, OVH, MinIO...).

Objects are named exactly like the files of ``LocalStorage`` (``abcdef-m.jpg``, flat: an object
store needs no shards). Staged files are objects under ``.staging/``: no valid name starts with a
dot, so no reader and no listing reaches them. Publishing copies the staged object to its name
(S3 replaces an object at once: readers see the old content or the new) and deletes the staged
one.

The bucket is never created here at start-up: ``flask storage create-bucket`` does it, once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from sportressources.config import ConfigurationError
from sportressources.core.storage_names import (
    HANDLE_PATTERN,
    PREFIX_PATTERN,
    InvalidName,
    check_name,
    is_valid_name,
)

STAGING = ".staging/"
_MISSING_OBJECT = {"NoSuchKey", "404", "NotFound"}
_REFUSED = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}


class StorageUnavailable(RuntimeError):
    """The object store did not answer (wrong endpoint, network down); the message names it."""


class S3Storage:
    """Photos as objects of ``bucket``, through an S3 ``client`` (boto3)."""

    def __init__(self, client: Any, bucket: str, where: str = "Amazon S3"):
        self.client = client
        self.bucket = bucket
        self.where = where  # the endpoint, for messages

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, check: bool = True) -> S3Storage:
        """The storage of the ``S3_*`` settings. With ``check``, asks the store whether the bucket
        exists: raises ``ConfigurationError`` naming it if not (or if the keys are refused),
        ``StorageUnavailable`` if the store does not answer."""
        bucket = config.get("S3_BUCKET") or ""
        if not bucket:
            raise ConfigurationError("STORAGE_BACKEND is 's3': set S3_BUCKET.")
        endpoint = config.get("S3_ENDPOINT_URL") or None
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=config.get("S3_REGION") or None,
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
            config=Config(
                connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}
            ),
        )
        storage = cls(client, bucket, endpoint or "Amazon S3")
        if check:
            storage.check_bucket()
        return storage

    # --- errors -----------------------------------------------------------------------------

    def _error(self, exc: Exception) -> Exception:
        """The exception an operator understands for a failed call to the store."""
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code == "NoSuchBucket":
                return self._no_bucket()
            if code in _REFUSED:
                return ConfigurationError(
                    f"S3 bucket {self.bucket!r} at {self.where} refuses access ({code}): check "
                    "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY."
                )
            return exc
        return StorageUnavailable(f"S3 storage at {self.where} does not answer: {exc}")

    def _no_bucket(self) -> ConfigurationError:
        return ConfigurationError(
            f"S3 bucket {self.bucket!r} does not exist at {self.where}: create it "
            "(`flask storage create-bucket`) or fix S3_BUCKET / S3_ENDPOINT_URL."
        )

    def _call(self, operation: str, **params: Any) -> Any:
        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in _MISSING_OBJECT:
                raise FileNotFoundError(params.get("Key", "")) from exc
            raise self._error(exc) from exc
        except BotoCoreError as exc:
            raise self._error(exc) from exc

    def check_bucket(self) -> None:
        """Raise ``ConfigurationError`` (missing bucket, refused keys) or ``StorageUnavailable``
        unless the bucket answers."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"404", "NoSuchBucket", "NotFound"}:
                raise self._no_bucket() from exc
            raise self._error(exc) from exc
        except BotoCoreError as exc:
            raise self._error(exc) from exc

    def create_bucket(self, region: str | None = None) -> bool:
        """Create the bucket; False if it already exists and is ours."""
        params: dict[str, Any] = {}
        if region and region != "us-east-1":  # the one region S3 refuses as a constraint
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self.client.create_bucket(Bucket=self.bucket, **params)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "BucketAlreadyOwnedByYou":
                return False
            raise self._error(exc) from exc
        except BotoCoreError as exc:
            raise self._error(exc) from exc
        return True

    # --- the Storage interface --------------------------------------------------------------

    def save(self, name: str, data: bytes, content_type: str) -> None:
        check_name(name)
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"data must be bytes, not {type(data).__name__}")
        self._call("put_object", Key=name, Body=bytes(data), ContentType=content_type)

    def read(self, name: str) -> bytes:
        response = self._call("get_object", Key=check_name(name))
        with response["Body"] as body:
            return body.read()

    def delete(self, name: str) -> None:
        self._call("delete_object", Key=check_name(name))

    def exists(self, name: str) -> bool:
        try:
            self._call("head_object", Key=check_name(name))
        except FileNotFoundError:
            return False
        return True

    def _objects(self, prefix: str) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                yield from page.get("Contents", [])
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc) from exc

    def names(self, prefix: str = "") -> Iterator[str]:
        if not isinstance(prefix, str) or not PREFIX_PATTERN.fullmatch(prefix):
            raise InvalidName(f"invalid storage prefix: {prefix!r}")
        return self._names(prefix)

    def _names(self, prefix: str) -> Iterator[str]:
        for item in self._objects(prefix):
            if is_valid_name(item["Key"]):
                yield item["Key"]

    def modified_at(self, name: str) -> datetime:
        moment = self._call("head_object", Key=check_name(name))["LastModified"]
        return moment.astimezone(UTC)

    def _staged(self, handle: str) -> str:
        if not isinstance(handle, str) or not HANDLE_PATTERN.fullmatch(handle):
            raise InvalidName(f"invalid staging handle: {handle!r}")
        return f"{STAGING}{handle}"

    def stage(self, data: bytes, content_type: str) -> str:
        handle = secrets.token_hex(16)
        self._call(
            "put_object", Key=self._staged(handle), Body=bytes(data), ContentType=content_type
        )
        return handle

    def publish(self, handle: str, name: str) -> None:
        source, target = self._staged(handle), check_name(name)
        self._call(
            "copy_object",
            Key=target,
            CopySource={"Bucket": self.bucket, "Key": source},
            MetadataDirective="COPY",
        )
        self._call("delete_object", Key=source)

    def discard(self, handle: str) -> None:
        self._call("delete_object", Key=self._staged(handle))

    def discard_staged_before(self, moment: datetime) -> int:
        count = 0
        for item in list(self._objects(STAGING)):
            handle = item["Key"].removeprefix(STAGING)
            if HANDLE_PATTERN.fullmatch(handle) and item["LastModified"] < moment:
                self._call("delete_object", Key=item["Key"])
                count += 1
        return count
