"""The generated demo world and the scenario that runs on it."""
