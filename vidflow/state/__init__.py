"""What vidflow knows about the stories it made: the lockfile and the lock that guards it."""
