from tests.samples import sample  # noqa: F401
