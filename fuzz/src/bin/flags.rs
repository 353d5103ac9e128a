//! AFL target: see `wsc::fuzz::flags`.
fn main() {
    afl::fuzz!(|data: &[u8]| wsc::fuzz::flags(data));
}
