"""Rules of the evidence section of spec/findings.md."""
