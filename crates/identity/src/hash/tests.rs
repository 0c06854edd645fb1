//! Tests of the `PasswordHasher` API (per-family vectors live beside each family).

use super::*;

fn pw(s: &str) -> Zeroizing<String> {
    Zeroizing::new(s.to_owned())
}

fn bcrypt_settings(cost: u32) -> HasherSettings {
    HasherSettings {
        algorithm: HashAlgorithm::Bcrypt,
        bcrypt_cost: cost,
        ..HasherSettings::default()
    }
}

fn argon2_settings(memory_kib: u32, iterations: u32) -> HasherSettings {
    HasherSettings {
        algorithm: HashAlgorithm::Argon2,
        argon2: Argon2Settings {
            memory_kib,
            iterations,
            parallelism: 1,
            ..Argon2Settings::default()
        },
        ..HasherSettings::default()
    }
}

#[test]
fn defaults_match_kratos() {
    let s = HasherSettings::default();
    assert_eq!(s.algorithm, HashAlgorithm::Bcrypt);
    assert_eq!(s.bcrypt_cost, 12);
    assert_eq!(s.argon2.memory_kib, 131_072);
    assert_eq!(s.argon2.iterations, 1);
    assert_eq!(s.argon2.parallelism, 2 * num_cpus::get() as u32);
    assert_eq!((s.argon2.salt_length, s.argon2.key_length), (16, 32));
    assert_eq!(s.argon2.expected_duration.as_millis(), 500);
    assert_eq!(s.argon2.expected_deviation.as_millis(), 500);
}

#[tokio::test]
async fn bcrypt_round_trip() {
    let h = PasswordHasher::new(bcrypt_settings(4));
    let stored = h.hash(pw("correct horse")).await.unwrap();
    assert!(stored.starts_with("$2b$04$"));
    assert!(h.verify(pw("correct horse"), &stored).await.unwrap());
    assert!(!h.verify(pw("correct horsE"), &stored).await.unwrap());
    assert_eq!(h.max_password_bytes(), Some(72));
}

#[tokio::test]
async fn argon2id_round_trip() {
    let h = PasswordHasher::new(argon2_settings(64, 1));
    let stored = h.hash(pw("correct horse")).await.unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
    assert!(h.verify(pw("correct horse"), &stored).await.unwrap());
    assert!(!h.verify(pw("wrong"), &stored).await.unwrap());
    assert_eq!(h.max_password_bytes(), None);
    // Long passwords are fine with argon2.
    let long = "é".repeat(100);
    let stored = h.hash(pw(&long)).await.unwrap();
    assert!(h.verify(pw(&long), &stored).await.unwrap());
}

#[tokio::test]
async fn bcrypt_refuses_long_passwords() {
    let h = PasswordHasher::new(bcrypt_settings(4));
    let err = h.hash(pw(&"a".repeat(73))).await.unwrap_err();
    assert_eq!(
        err,
        HashError::PasswordTooLong {
            max: 72,
            actual: 73
        }
    );
}

#[tokio::test]
async fn unknown_format_is_named() {
    let h = PasswordHasher::new(bcrypt_settings(4));
    let err = h
        .verify(
            pw("test"),
            "$unknown$12$o6hx.Wog/wvFSkT/Bp/6DOxCtLRTDj7lm9on9suF/WaCGNVHbkfL6",
        )
        .await
        .unwrap_err();
    assert_eq!(err, HashError::UnknownFormat("unknown".into()));
    assert!(!err.to_string().contains("o6hx"));
    assert!(PasswordHasher::format_of("plaintext").is_err());
}

#[tokio::test]
async fn cross_algorithm_verification() {
    let bcrypt = PasswordHasher::new(bcrypt_settings(4));
    let argon = PasswordHasher::new(argon2_settings(64, 1));
    let b = bcrypt.hash(pw("pw")).await.unwrap();
    let a = argon.hash(pw("pw")).await.unwrap();
    assert!(argon.verify(pw("pw"), &b).await.unwrap());
    assert!(bcrypt.verify(pw("pw"), &a).await.unwrap());
}

#[tokio::test]
async fn needs_rehash_on_algorithm_or_weaker_cost() {
    let bcrypt6 = PasswordHasher::new(bcrypt_settings(6));
    let argon = PasswordHasher::new(argon2_settings(128, 2));
    let b4 = PasswordHasher::new(bcrypt_settings(4))
        .hash(pw("pw"))
        .await
        .unwrap();
    let b6 = bcrypt6.hash(pw("pw")).await.unwrap();
    let a = argon.hash(pw("pw")).await.unwrap();

    // Algorithm differs (Kratos rule).
    assert!(bcrypt6.needs_rehash(&a));
    assert!(argon.needs_rehash(&b6));
    assert!(argon.needs_rehash(
        "$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c"
    ));
    assert!(bcrypt6.needs_rehash("not a hash"));
    // Same algorithm, cost below the configured one (§B.7).
    assert!(bcrypt6.needs_rehash(&b4));
    assert!(!bcrypt6.needs_rehash(&b6));
    assert!(!argon.needs_rehash(&a));
    let weaker_memory = PasswordHasher::new(argon2_settings(64, 2))
        .hash(pw("pw"))
        .await
        .unwrap();
    let weaker_passes = PasswordHasher::new(argon2_settings(128, 1))
        .hash(pw("pw"))
        .await
        .unwrap();
    assert!(argon.needs_rehash(&weaker_memory));
    assert!(argon.needs_rehash(&weaker_passes));
    // Stronger than configured is kept.
    let stronger = PasswordHasher::new(argon2_settings(256, 3))
        .hash(pw("pw"))
        .await
        .unwrap();
    assert!(!argon.needs_rehash(&stronger));
}

#[tokio::test]
async fn configured_costs_above_import_bounds_still_verify() {
    // 20 lanes exceed the import bound of 16; our own hashes must still verify.
    let mut settings = argon2_settings(160, 1);
    settings.argon2.parallelism = 20;
    let h = PasswordHasher::new(settings);
    let stored = h.hash(pw("pw")).await.unwrap();
    assert!(h.verify(pw("pw"), &stored).await.unwrap());
    assert!(matches!(
        format_of(&stored),
        Err(HashError::ParametersOutOfBounds { .. })
    ));
}

#[tokio::test]
async fn unknown_identity_runs_a_real_verification() {
    let h = PasswordHasher::new(argon2_settings(64, 1));
    h.verify_unknown_identity(pw("whatever")).await;
    let dummy = h
        .inner
        .dummy
        .get()
        .expect("dummy hash is built once")
        .clone();
    assert!(dummy.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
    h.verify_unknown_identity(pw("again")).await;
    assert_eq!(h.inner.dummy.get(), Some(&dummy));
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let h = PasswordHasher::with_concurrency(bcrypt_settings(4), 1);
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let h = h.clone();
            tokio::spawn(async move { h.hash(pw(&format!("pw{i}"))).await })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().is_ok());
    }
    assert_eq!(h.inner.permits.available_permits(), 1);
}

#[tokio::test]
async fn debug_does_not_leak() {
    let h = PasswordHasher::new(bcrypt_settings(4));
    let s = format!("{h:?}");
    assert!(s.contains("PasswordHasher"));
}

#[tokio::test]
async fn raw_rate_is_positive() {
    let h = PasswordHasher::new(bcrypt_settings(4));
    assert!(raw_hash_rate(&h, 4, 2).await > 0.0);
}

/// One vector per importable format (kratos-compat §11), through the public API.
const IMPORT_VECTORS: &[(HashFormat, &str, &str)] = &[
    (HashFormat::Bcrypt, "test", "$2a$04$5SXC7hy/BgmF9xR5lgwYYef7jtwG7KmbsaEZzCIgosM9FYIH7PyUq"),
    (HashFormat::Argon2id, "test", "$argon2id$v=19$m=32,t=2,p=4$cm94YnRVOW5jZzFzcVE4bQ$MNzk5BtR2vUhrp6qQEjRNw"),
    (HashFormat::Argon2i, "test", "$argon2i$v=19$m=65536,t=3,p=4$kk51rW/vxIVCYn+EG4kTSg$NyT88uraJ6im6dyha/M5jhXvpqlEdlS/9fEm7ScMb8c"),
    (HashFormat::Pbkdf2, "Nexus-pw 1", "$pbkdf2-sha1$i=1000,l=20$c2FsdHNhbHRzYWx0MTIzNA$c+DON4h22Z09V+Pu7wKP6a0TEdk"),
    (HashFormat::Pbkdf2, "Nexus-pw 1", "$pbkdf2-sha256$i=1000,l=32$c2FsdHNhbHRzYWx0MTIzNA$ItnZt+2y6Ivaww2azeDPaBOgcDtgZcrSUHoZMHDvhZY"),
    (HashFormat::Pbkdf2, "Nexus-pw 1", "$pbkdf2-sha512$i=1000,l=64$c2FsdHNhbHRzYWx0MTIzNA$uDVSAsJC4jXCCJDRNppygqPcMLByr7piqU38GdFHsNXqnAeVmKNqrSmtMvEaDI5CbEQwBzaxM9KY/BOZHOwA6g"),
    (HashFormat::Scrypt, "Nexus-pw 1", "$scrypt$ln=1024,r=8,p=1$c2FsdHNhbHRzYWx0MTIzNA==$vBSt64noV4Ehp0hwqoRWPMc4CFGvykzIflK+sMXcP6A="),
    (HashFormat::FirebaseScrypt, "8x4WjoDbSxJZdR", "$firescrypt$ln=14,r=8,p=1$sPtDhWcd1MfdAw==$xbSou7FOl6mChCyzpCPIQ7tku7nsQMTFtyOZSXXd7tjBa4NtimOx7v42Gv2SfzPQu1oxM2/k4SsbOu73wlKe1A==$Bw==$YE0dO4bwD4JnJafh6lZZfkp1MtKzuKAXQcDCJNJNyeCHairWHKENOkbh3dzwaCdizzOspwr/FITUVlnOAwPKyw=="),
    (HashFormat::Ssha, "test123", "{SSHA}JFZFs0oHzxbMwkSJmYVeI8MnTDy/276a"),
    (HashFormat::Ssha, "test123", "{SSHA256}czO44OTV17PcF1cRxWrLZLy9xHd7CWyVYplr1rOhuMlx/7IK"),
    (HashFormat::Ssha, "test123", "{SSHA512}xPUl/px+1cG55rUH4rzcwxdOIPSB2TingLpiJJumN2xyDWN4Ix1WQG3ihnvHaWUE8MYNkvMi5rf0C9NYixHsE6Yh59M="),
    (HashFormat::SaltedSha, "test", "$sha1$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$2qU2SGWP8viTM1md3FiI3+rjWXQ="),
    (HashFormat::SaltedSha, "test", "$sha256$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$0gfRVLCvtBCk20udLDEY5vNhujWx7RGjwRIS1ebMsLY="),
    (HashFormat::SaltedSha, "test", "$sha512$pf=e1NBTFR9e1BBU1NXT1JEfQ==$NW9wbWtnejAzcg==$6ctpVuApMNp0CgBXcdHw/GC562eFEFGr4gpgANX8ZYsX+j5B19IkdmOY2Fytsz3QUwSWdGcUjbqwgJGTH0UYvw=="),
    (HashFormat::Md5, "test", "$md5$CY9rzUYh03PK3k6DJie09g=="),
    (HashFormat::Md5, "test", "$md5$pf=e1NBTFR9e1BBU1NXT1JEfQ==$MTIz$q+RdKCgc+ipCAcm5ChQwlQ=="),
    (HashFormat::Md5Crypt, "ory", "$md5-crypt$xWMlm2eL$GGTOpgZu4p2k6ORprAu3b."),
    (HashFormat::Sha256Crypt, "Nexus-pw 1", "$sha256-crypt$abcdefghijklmnop$zect1BKP9yvuq1mHd.9m2zgt0.TvomDgNHbcokj0nU8"),
    (HashFormat::Sha512Crypt, "Nexus-pw 1", "$sha512-crypt$rounds=1000$abcdefghijklmnop$LP1/d208PRGi7MyBmPbSBdyA8zOD8zOislpurpW0gD7HD3JyEqVYEu6idf0iSfl1UVgP3uQF7AaKPVGuM8r6h0"),
    (HashFormat::Hmac, "test", "$hmac-md4$MWQ5ZTI4Nzc2Zjg4YmE2MTQ5YjQ0OTMyOGE4NWU4YjA=$MTIzNDU="),
    (HashFormat::Hmac, "test", "$hmac-sha512$OTFmODY0ZTI1NmU0ZjVhYjhiMDViZGFmNGVmNGZmMGVlNTY4ODYwNWJhYTk4MTk2OTgyMzc3NzI1YTc4MzcxMTMzNzZmY2YxYTk5MGMxM2RiZDk2MGFmMmQ1YzRmODdlMGMwYTNkYjcyNjY0NjM4NGE4YzQ2MjNhZDZkN2UxZTE=$MTIzNDU="),
];

#[tokio::test]
async fn every_import_format_verifies() {
    let h = PasswordHasher::new(bcrypt_settings(4));
    for (format, password, stored) in IMPORT_VECTORS {
        assert_eq!(format_of(stored).as_ref(), Ok(format), "{stored}");
        assert!(h.verify(pw(password), stored).await.unwrap(), "{stored}");
        assert!(
            !h.verify(pw("wrong password"), stored).await.unwrap(),
            "{stored}"
        );
        // Legacy formats are upgraded after login.
        assert_eq!(
            h.needs_rehash(stored),
            *format != HashFormat::Bcrypt,
            "{stored}"
        );
    }
}

#[test]
fn import_validation_rejects_malformed_and_costly() {
    assert_eq!(
        format_of("$hmac$ZmU4$MTIzNDU="),
        Err(HashError::UnknownFormat("hmac".into()))
    );
    assert_eq!(
        format_of("{SSHAnotExistent}xPUl"),
        Err(HashError::UnknownFormat("SSHAnotExistent".into()))
    );
    assert!(matches!(
        format_of("$md5$pf=MTIz$Z$"),
        Err(HashError::Invalid { format: "md5", .. })
    ));
    assert!(matches!(
        format_of("$scrypt$ln=1048576,r=8,p=1$c2FsdA==$c2FsdA=="),
        Err(HashError::ParametersOutOfBounds { .. })
    ));
}
