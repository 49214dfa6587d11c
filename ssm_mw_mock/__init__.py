"""ssm_mw_mock."""
