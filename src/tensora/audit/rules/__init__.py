"""One module per finding code, grouped by the sections of spec/findings.md."""
