//! What the example servers do with a connection, as given on their command line:
//! `[ADDR] [echo | sink | flood N SIZE [binary]]`. Shared by examples/server.rs and
//! examples/deflate_server.rs.

#[derive(Clone, Copy)]
pub enum Mode {
    Echo,
    Sink,
    Flood {
        count: usize,
        size: usize,
        binary: bool,
    },
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
        },
        Some(other) => return Err(format!("unknown mode {other}")),
    };
    Ok((addr, mode))
}
