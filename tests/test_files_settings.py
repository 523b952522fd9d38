"""Where uploads are stored: MEDIA_ROOT by default, an S3-compatible bucket when
FILES_S3_BUCKET is set (private objects, never overwritten), and a clear stop at
start when the s3 extra (boto3) is missing. Read in a fresh process, like
tests/test_settings.py does."""

import importlib.util
import json

import pytest

from tests.test_settings import production, run_python

pytestmark = pytest.mark.slow

PRINT_STORAGE = """
import json
import django
django.setup()
from django.conf import settings as s
print(json.dumps({"default": s.STORAGES["default"], "max": s.FILES_MAX_BYTES}))
"""

S3 = {
    "FILES_S3_BUCKET": "kollegan-filer",
    "FILES_S3_ENDPOINT_URL": "https://s3.example.se",
    "FILES_S3_ACCESS_KEY": "nyckel",
    "FILES_S3_SECRET_KEY": "hemlig",
    "FILES_S3_REGION": "eu-north-1",
}


def storage_of(tmp_path, **env) -> dict:
    result = run_python(tmp_path / "data", PRINT_STORAGE, **production(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_files_go_to_the_data_directory_by_default(tmp_path):
    found = storage_of(tmp_path)
    assert found["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert found["max"] == 25 * 1024 * 1024
    assert storage_of(tmp_path, FILES_MAX_BYTES="1048576")["max"] == 1024 * 1024


def test_a_bucket_stores_private_files(tmp_path):
    # A stand-in boto3 on the path: the settings only ask whether it can be imported.
    fake = tmp_path / "fake"
    (fake / "boto3").mkdir(parents=True)
    (fake / "boto3" / "__init__.py").write_text("")
    found = storage_of(tmp_path, PYTHONPATH=str(fake), **S3)["default"]
    assert found["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["OPTIONS"] == {
        "bucket_name": "kollegan-filer",
        "endpoint_url": "https://s3.example.se",
        "access_key": "nyckel",
        "secret_key": "hemlig",
        "region_name": "eu-north-1",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }


def test_a_bucket_without_boto3_stops_the_start_with_a_reason(tmp_path):
    result = run_python(tmp_path / "data", PRINT_STORAGE, **production(**S3))
    if importlib.util.find_spec("boto3") is not None:  # the s3 extra is installed here
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode != 0
    assert "FILES_S3_BUCKET needs boto3" in result.stderr
