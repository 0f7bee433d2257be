"""readiness: a policy-as-code production-readiness evaluator."""

__version__ = "0.1.0"
