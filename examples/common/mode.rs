//! What the example servers do with a connection, as given on their command line:
//! `[ADDR] [echo | sink | flood N SIZE [binary | json]]`. Shared by examples/server.rs and
//! examples/deflate_server.rs.

#[derive(Clone, Copy)]
pub enum Mode {
    Echo,
    Sink,
    Flood {
        count: usize,
        size: usize,
        binary: bool,
        /// Each message a JSON object of SIZE bytes, `{"x":"xx…"}`, for --jq's benchmark.
        json: bool,
    },
}

/// A flood's message: SIZE bytes of `x`, or with `json` a JSON object of SIZE bytes (at least 8).
pub fn payload(size: usize, json: bool) -> Vec<u8> {
    match json {
        true => format!("{{\"x\":\"{}\"}}", "x".repeat(size.saturating_sub(8))).into_bytes(),
        false => vec![b'x'; size],
    }
}

/// The address (default `default_addr`) and the mode from the arguments after the program name.
pub fn parse(args: &[String], default_addr: &str) -> Result<(String, Mode), String> {
    let addr = args.first().cloned().unwrap_or_else(|| default_addr.into());
    let number = |i: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(0);
    let mode = match args.get(1).map(String::as_str) {
        None | Some("echo") => Mode::Echo,
        Some("sink") => Mode::Sink,
        Some("flood") => Mode::Flood {
            count: number(2),
            size: number(3),
            binary: args.get(4).is_some_and(|a| a == "binary"),
            json: args.get(4).is_some_and(|a| a == "json"),
        },
        Some(other) => return Err(format!("unknown mode {other}")),
    };
    Ok((addr, mode))
}
