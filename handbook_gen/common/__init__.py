"""Shared helpers: languages and texts, shipped resources, the build clock,
fingerprints and stamps, the output folder and its atomic writes, reports."""
