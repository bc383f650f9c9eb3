"""The ways in: the `gia-extract` command line, the HTTP service (sync endpoint and jobs API) and
the batch runner over whole archives."""
