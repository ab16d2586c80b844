"""`vidflow serve`: the Story API's HTTP routes over the engine's service layer."""
