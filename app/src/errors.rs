//! Errors that reach the visitor, in words they can act on.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a server function reports to the visitor.
///
/// Each variant is something the visitor caused or can do something about; its
/// `Display` text is shown as it is. Internal failures are logged on the server and
/// reach the visitor only as [`UserFacingError::Internal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UserFacingError {
    /// The request was malformed or refused; the text says why.
    #[error("{0}")]
    BadRequest(String),
    /// Something failed inside the server; details are in its log.
    #[error("Something went wrong on the server. Please try again in a moment.")]
    Internal,
    /// The server could not be reached or answered something unreadable.
    #[error("The server could not be reached. Check your connection and try again.")]
    Unreachable,
}

impl FromServerFnError for UserFacingError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => {
                Self::Unreachable
            }
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                Self::BadRequest("The request was incomplete or malformed.".to_string())
            }
            _ => Self::Internal,
        }
    }
}
