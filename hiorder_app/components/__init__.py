"""UI building blocks. They read state vars and fire events; no logic of their own."""
