"""`readiness drill run`: run the user's deploy, health and rollback commands and record a `rollout` item."""

from evaluator.drill.run import KILL_GRACE_S, MAX_OUTPUT_BYTES, Command, parse_command, rollout_item, run_drill

__all__ = ["KILL_GRACE_S", "MAX_OUTPUT_BYTES", "Command", "parse_command", "rollout_item", "run_drill"]
