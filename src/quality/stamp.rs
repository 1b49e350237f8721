//! The model stamp: a model's name, version and the SHA-256 of its file,
//! so a result can always be traced to the exact text that made it.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::Model;

/// Which model made a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelStamp {
    pub name: Option<String>,
    pub version: Option<String>,
    /// The SHA-256 of the model file's bytes, as 64 lower-case hex digits.
    pub sha256: String,
}

impl ModelStamp {
    /// The stamp of a compiled model and the bytes of its file.
    pub fn new(model: &Model, file: &[u8]) -> ModelStamp {
        let digest = Sha256::digest(file);
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
        ModelStamp {
            name: model.name.clone(),
            version: model.version.clone(),
            sha256,
        }
    }

    /// `B2B inbound v3 sha256:1a2b3c4d5e6f`: name and version when the
    /// model has them, and the first 12 hex digits of the hash.
    pub fn short(&self) -> String {
        let mut words = Vec::new();
        if let Some(name) = &self.name {
            words.push(name.clone());
        }
        if let Some(version) = &self.version {
            words.push(format!("v{version}"));
        }
        let hex = self.sha256.get(..12).unwrap_or(&self.sha256);
        words.push(format!("sha256:{hex}"));
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_hashes_the_file_bytes() {
        let text = "model \"B2B\" version 3\nfields { a: int }\n";
        let compiled = crate::compile_bytes("m.tally", text.as_bytes().to_vec()).1;
        let model = compiled.model.unwrap();
        let stamp = ModelStamp::new(&model, text.as_bytes());
        // `printf 'model "B2B" version 3\nfields { a: int }\n' | sha256sum`
        assert_eq!(
            stamp.sha256,
            "1b0ae216e6e3acc00e26568396141639d507c769c65e18edcb61f5be120f3c8a"
        );
        assert_eq!(stamp.short(), "B2B v3 sha256:1b0ae216e6e3");
    }
}
