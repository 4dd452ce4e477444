//! Components shared by several pages, one module each.

mod notice;
mod signature_check;

pub use notice::{LiveNotice, Notice};
pub use signature_check::SignatureCheck;
