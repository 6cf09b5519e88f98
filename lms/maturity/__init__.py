"""The SPBE maturity self-assessment of a region (PermenPANRB 59/2020, 47 indicators)."""
