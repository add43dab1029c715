"""Rules of the quant section of spec/findings.md."""
