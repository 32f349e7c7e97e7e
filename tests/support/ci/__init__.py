"""A GitHub Actions job rehearsed on this machine, and what its logs and reports show."""
