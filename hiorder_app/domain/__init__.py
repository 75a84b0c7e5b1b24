"""Domain layer: tables, enums and business rules. No I/O and no Reflex here."""
