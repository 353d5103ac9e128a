//! AFL target: see `wsc::fuzz::protocol::handshake_answer`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = wsc::fuzz::protocol::handshake_answer(data);
    });
}
