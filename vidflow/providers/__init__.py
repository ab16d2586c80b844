"""Providers: how vidflow reaches the Story API (local engine in process, or HTTP)."""
