//! AFL target: see `wsc::fuzz::protocol::frame_client_deflate`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = wsc::fuzz::protocol::frame_client_deflate(data);
    });
}
