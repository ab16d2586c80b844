"""One module per subcommand; each defines `command` (see vidflow/cli.py)."""
