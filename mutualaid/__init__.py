"""Mutual Aid Network: a self-hostable platform on which mutual aid networks coordinate themselves."""
