//! `--pinnedpubkey` as curl has it: `sha256//BASE64[;sha256//BASE64…]`, hashes of the server's
//! SubjectPublicKeyInfo (DER), or a file holding that public key in PEM or DER. Checked right
//! after the handshake, before the upgrade is sent, with -k too.

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use openssl::pkey::PKey;
use openssl::ssl::SslRef;

use crate::error::Failure;

const PREFIX: &str = "sha256//";

/// `--pinnedpubkey` as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinnedKey {
    /// The base64 SHA-256 hashes, each as typed (curl compares the strings).
    Hashes(Vec<String>),
    /// A file to read when connecting.
    File(PathBuf),
}

impl PinnedKey {
    /// A value starting with `sha256//` is a list of hashes; anything else names a file.
    pub fn parse(value: &str) -> Result<PinnedKey, String> {
        if value.is_empty() {
            return Err("--pinnedpubkey needs sha256//BASE64 hashes or a public key file".into());
        }
        if !value.starts_with(PREFIX) {
            return Ok(PinnedKey::File(PathBuf::from(value)));
        }
        value
            .split(';')
            .map(|pin| {
                let hash = pin.strip_prefix(PREFIX).ok_or_else(|| {
                    format!("--pinnedpubkey: '{pin}' does not start with {PREFIX}")
                })?;
                // A typo would otherwise pass for a pin that never matches.
                match STANDARD.decode(hash) {
                    Ok(digest) if digest.len() == 32 => Ok(hash.to_string()),
                    _ => Err(format!(
                        "--pinnedpubkey: '{pin}' is not a SHA-256 hash in base64 (44 characters, \
                         as `openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | \
                         base64` gives)"
                    )),
                }
            })
            .collect::<Result<_, _>>()
            .map(PinnedKey::Hashes)
    }

    /// What to compare the server's key with; a file is read and checked here.
    pub(super) fn load(&self) -> Result<Pins, Failure> {
        let path = match self {
            PinnedKey::Hashes(hashes) => return Ok(Pins::Hashes(hashes.clone())),
            PinnedKey::File(path) => path,
        };
        let bytes = super::read(path, "--pinnedpubkey file")?;
        let pem = memchr::memmem::find(&bytes, b"-----BEGIN PUBLIC KEY-----").is_some();
        let der = if pem {
            PKey::public_key_from_pem(&bytes).and_then(|key| key.public_key_to_der())
        } else {
            PKey::public_key_from_der(&bytes).map(|_| bytes)
        };
        der.map(Pins::Key).map_err(|e| {
            Failure::Tls(format!(
                "--pinnedpubkey file '{}' holds no public key in {} ({})",
                path.display(),
                if pem { "PEM" } else { "DER or PEM" },
                super::words::stack_reason(&e)
            ))
        })
    }
}

/// The pins, loaded: what the server's key is compared with.
#[derive(Debug, Clone)]
pub(super) enum Pins {
    Hashes(Vec<String>),
    /// The public key's DER.
    Key(Vec<u8>),
}

impl Pins {
    /// Whether the server's public key (DER) is the pinned one.
    pub fn check(&self, key: Option<&[u8]>) -> Result<(), Failure> {
        let Some(key) = key else {
            return Err(Failure::Tls(
                "the server sent no certificate, so --pinnedpubkey cannot match".into(),
            ));
        };
        let hash = hash(key);
        let matches = match self {
            Pins::Hashes(hashes) => hashes.iter().any(|pin| hash[PREFIX.len()..] == **pin),
            Pins::Key(der) => der == key,
        };
        match matches {
            true => Ok(()),
            false => Err(Failure::Tls(format!(
                "server public key {hash} does not match --pinnedpubkey"
            ))),
        }
    }
}

/// The server's public key: the SubjectPublicKeyInfo of its certificate, in DER.
pub fn server_key(ssl: &SslRef) -> Option<Vec<u8>> {
    let certificate = ssl.peer_certificate()?;
    certificate.public_key().ok()?.public_key_to_der().ok()
}

/// `sha256//BASE64` of a public key's DER, as --pinnedpubkey takes it.
pub fn hash(der: &[u8]) -> String {
    format!("{PREFIX}{}", STANDARD.encode(openssl::sha::sha256(der)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const B: &str = "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=";

    #[test]
    fn hashes_are_a_list_and_anything_else_a_file() {
        assert_eq!(
            PinnedKey::parse(&format!("{A};{B}")),
            Ok(PinnedKey::Hashes(vec![
                A[PREFIX.len()..].to_string(),
                B[PREFIX.len()..].to_string()
            ]))
        );
        assert_eq!(
            PinnedKey::parse("key.pem"),
            Ok(PinnedKey::File("key.pem".into()))
        );
        assert_eq!(
            PinnedKey::parse("./sha256//x"),
            Ok(PinnedKey::File("./sha256//x".into()))
        );
    }

    #[test]
    fn a_malformed_hash_is_refused() {
        for bad in [
            "",
            "sha256//",
            "sha256//abc",
            "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-=",
            &format!("{A};"),
            &format!("{A};sha1//AAAA"),
        ] {
            assert!(PinnedKey::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_key_matches_its_own_hash_and_no_other() {
        let key = b"not really DER, but hashed all the same";
        let own = PinnedKey::parse(&format!("{A};{}", hash(key))).unwrap();
        let Ok(Pins::Hashes(hashes)) = own.load() else {
            panic!("hashes load as hashes")
        };
        assert!(Pins::Hashes(hashes.clone()).check(Some(key)).is_ok());
        let other = Pins::Hashes(hashes[..1].to_vec()).check(Some(key));
        assert_eq!(
            other,
            Err(Failure::Tls(format!(
                "server public key {} does not match --pinnedpubkey",
                hash(key)
            )))
        );
        assert!(Pins::Key(key.to_vec()).check(Some(key)).is_ok());
        assert!(Pins::Key(key[1..].to_vec()).check(Some(key)).is_err());
        assert!(Pins::Key(key.to_vec()).check(None).is_err());
    }
}
