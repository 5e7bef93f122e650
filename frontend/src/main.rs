//! The console's wasm entry point.

fn main() {}
