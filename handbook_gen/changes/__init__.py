"""Changes and history: two versions of a circle compared in words people
understand, and the git history that gives calendar events their SEQUENCE."""
