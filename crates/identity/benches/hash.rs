//! Raw hash-rate benchmark (filled in below; placeholder so the `[[bench]]` target exists).

fn main() {}
