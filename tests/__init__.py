"""The test suite: `make test` (see README)."""
