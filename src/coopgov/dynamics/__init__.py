"""Cooperation dynamics: replicator ODE, agent-based model, two-region game."""
