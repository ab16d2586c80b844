"""The executor: runs a Plan against a provider, writing the lockfile after every step."""
