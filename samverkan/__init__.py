"""Samverkan: anonymous records, figures and governance for an idea-based public partnership."""
