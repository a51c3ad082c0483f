"""National environmental standards as pure, vectorised functions."""
