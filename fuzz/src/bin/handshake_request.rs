//! AFL target: see `wsc::fuzz::protocol::handshake_request`.
fn main() {
    afl::fuzz!(|data: &[u8]| wsc::fuzz::protocol::handshake_request(data));
}
