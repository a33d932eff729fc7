//! ELF + DWARF to the symbol model (work in progress).
