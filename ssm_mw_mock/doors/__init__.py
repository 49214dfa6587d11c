"""The front doors: how requests reach the mock (botocore's patch, ``requests``, raw HTTP) and routing."""
