//! AFL target: see `wsc::fuzz::flags`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = wsc::fuzz::flags(data);
    });
}
