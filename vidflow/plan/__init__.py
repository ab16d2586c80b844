"""The planner: a pure function (desired, lockfile, remote) → Plan."""
