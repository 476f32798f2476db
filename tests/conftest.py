import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.environ.get("KERAS_SLM_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))


def shared_data(*parts):
    """Path into ../shared/data; skips the test when the folder is absent (fails under CI)."""
    path = os.path.join(SHARED_DATA, *parts)
    if not os.path.exists(path):
        if os.environ.get("CI"):
            pytest.fail(f"shared data missing in CI: {path}")
        pytest.skip(f"shared data not found: {path} (set KERAS_SLM_SHARED_DATA)")
    return path


def write_slice(src, dst, rows, start=0):
    """Writes the header and `rows` data rows of a TSV file from line `start` on."""
    with open(src, encoding="utf-8") as f:
        lines = f.readlines()
    with open(dst, "w", encoding="utf-8") as f:
        f.write(lines[0])
        f.writelines(lines[1 + start : 1 + start + rows])
    return dst


@pytest.fixture(scope="session")
def sst2_slices(tmp_path_factory):
    """(train.tsv, test.tsv): 4,000 training rows and 500 later rows of SST-2."""
    src = shared_data("sst2", "train.tsv")
    root = tmp_path_factory.mktemp("sst2")
    train = write_slice(src, str(root / "train.tsv"), 4000)
    test = write_slice(src, str(root / "test.tsv"), 500, start=60000)
    return train, test
