//! permessage-deflate (RFC 7692): agreeing on it in the handshake, then compressing what we
//! send and inflating what we receive, one whole message at a time.
//!
//! - `negotiate`: the offer a client sends, the answer a server gives, the params both agree on.
//! - `codec`: the compressor for our direction and the bounded inflater for the peer's.

mod codec;
mod negotiate;

pub use codec::{Compressor, Decompressor, InflateError};
pub use negotiate::{DeflateOffer, DeflateParams};
