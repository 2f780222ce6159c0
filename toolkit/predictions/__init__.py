"""System output: loading and anchoring predictions, and the systems that produce them."""
