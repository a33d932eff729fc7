//! PE + PDB to the symbol model (work in progress).
