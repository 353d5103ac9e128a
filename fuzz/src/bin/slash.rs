//! AFL target: see `wsc::fuzz::slash`.
fn main() {
    afl::fuzz!(|data: &[u8]| wsc::fuzz::slash(data));
}
