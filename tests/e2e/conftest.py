import pytest

from tests.stack import running_stack


@pytest.fixture
def stack(app_config, tmp_path, redis):
    with running_stack(app_config, tmp_path) as stack:
        yield stack
