"""Rules of the novelty section of spec/findings.md."""
