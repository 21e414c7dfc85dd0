"""Codemods and text edits that rules' fixes are built from."""
