//! AFL target: see `wsc::fuzz::jsonl`.
fn main() {
    afl::fuzz!(|data: &[u8]| {
        let _ = wsc::fuzz::jsonl(data);
    });
}
