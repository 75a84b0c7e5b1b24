"""Thin Reflex states: they hold what the browser shows and call services for everything else."""
