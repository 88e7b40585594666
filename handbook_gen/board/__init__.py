"""A board's own repository: `init` and `init --update` write its CI, pre-commit,
editor settings and README from the templates in this folder."""
