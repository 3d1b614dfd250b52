"""The operations services: the beat's lease and schedule, the reminder and escalation sweeps, maintenance."""
