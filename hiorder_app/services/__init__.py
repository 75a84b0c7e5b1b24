"""Service layer: transactions over SQLModel sessions. Never imports Reflex."""
