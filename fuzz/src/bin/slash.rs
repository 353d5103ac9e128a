//! AFL target: see `wsc::fuzz::slash`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = wsc::fuzz::slash(data);
    });
}
