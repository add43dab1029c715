"""Rules of the delta section of spec/findings.md."""
