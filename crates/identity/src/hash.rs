//! Password hashers (bcrypt, argon2id) and verifiers of imported hashes, on a bounded blocking pool.
