"""The site engines behind one seam (engine.py): MkDocs + Material by default,
ProperDocs as its proven successor, Zensical as an experiment."""
