"""Jinja templates of the generated modules (structure only; bodies are printed)."""
