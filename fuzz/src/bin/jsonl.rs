//! AFL target: see `wsc::fuzz::jsonl`.
fn main() {
    afl::fuzz!(|data: &[u8]| wsc::fuzz::jsonl(data));
}
