"""Rules of the complexity section of spec/findings.md."""
