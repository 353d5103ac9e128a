//! AFL target: see `wsc::fuzz::protocol::frame_client`.
fn main() {
    afl::fuzz!(|data: &[u8]| wsc::fuzz::protocol::frame_client(data));
}
