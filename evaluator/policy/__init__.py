"""Policies: loading Rego and data, the criteria catalogue, the policy input, and policy tests."""
