//! permessage-deflate (RFC 7692): negotiation and codec. To be written.
