//! Handler code: find each function's source the way SAM does, extract what the code does with
//! AWS SDKs, HTTP and the environment (tree-sitter, one extractor per language, never running
//! anything), and resolve it against the template.

pub mod analyze;
pub mod events;
pub mod facts;
pub mod imports;
pub mod js;
pub mod locate;
pub mod python;
pub mod resolve;
pub mod suppress;

pub use analyze::FunctionCode;
pub use facts::{EnvRead, Field, FileFacts, HttpCall, OPEN_FIELD, SdkCall, Val};
pub use locate::{Lang, Located, locate};

use crate::source::FileId;

/// A language extractor: source text in, language-neutral facts out (spans in `file`).
pub trait Extractor: Sync {
    fn extract(&self, text: &str, file: FileId) -> FileFacts;
}
