"""Results of operations: figures computed from records, reported figures beside them."""
