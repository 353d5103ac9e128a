//! AFL target: see `wsc::fuzz::protocol::frame_server`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = wsc::fuzz::protocol::frame_server(data);
    });
}
