"""squat-triage."""
