"""The circle file and its rules: read the YAML with positions, check it against the
schema and the rules of the format, and hand on a typed Circle (or problems)."""
