//! permessage-deflate (RFC 7692): agreeing on it in the handshake, then compressing what we
//! send and inflating what we receive, one whole message at a time.
//!
//! - `negotiate`: the offer a client sends, the answer a server gives, and the params both agree on.

mod negotiate;

pub use negotiate::{DeflateOffer, DeflateParams};
