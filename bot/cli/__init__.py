"""The `taizhang` command line: run, demo, migrate, campaign, ledger and case tools."""
