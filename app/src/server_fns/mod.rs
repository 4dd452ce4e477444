//! Server functions, grouped by area. Each is a thin call into the server's services.

mod signatures;

pub use signatures::{
    MAX_MESSAGE_BYTES, MAX_SIGNED_BYTES, VerifiedTestPost, VerifyTestPost, verify_test_post,
};
