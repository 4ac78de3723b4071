"""The remote suite against an S3-protocol server (moto) on loopback."""

from __future__ import annotations

import uuid

import pytest
import s3fs

from tests.remote.remote_kit import Backend
from tests.remote.remote_suite import RemoteSuite


class TestS3Remote(RemoteSuite):
    @pytest.fixture
    def backend(self, moto_endpoint: str) -> Backend:
        bucket = f"nbvc-{uuid.uuid4().hex[:12]}"
        fs = s3fs.S3FileSystem(endpoint_url=moto_endpoint)
        fs.mkdir(bucket)
        return Backend(
            url=f"s3://{bucket}/store",
            fs=fs,
            root=f"{bucket}/store",
            options={"endpoint_url": moto_endpoint},
            object_store=True,
        )
