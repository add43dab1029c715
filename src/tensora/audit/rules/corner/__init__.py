"""Rules of the corner section of spec/findings.md."""
