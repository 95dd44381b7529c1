"""Tuition tax slips: Relevé 8 (Revenu Québec) and T2202 (CRA). See docs/tax-slips.md."""
