//! Pipe-mode input: stdin read in large blocks on a plain thread and cut into lines without
//! copying (each message is a slice of the block it arrived in).

use std::io::{self, Read};
use std::os::fd::AsFd;

use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;
use tungstenite::{Message, Utf8Bytes};

use super::budget::{BYTES_IN_FLIGHT, Budget};
use super::{Input, jsonl};
use crate::config::InputFormat;
use crate::error::{Failure, io_words};
use crate::jsonrpc::Calls;

/// The most one read asks for.
const READ_SIZE: usize = 64 * 1024;

/// What the first read asks for. The window is zero-filled before each read, and a 64 KiB one
/// costs 16 fresh pages (page faults) even when stdin is empty; it doubles up to `READ_SIZE`
/// each time a read fills it, so large inputs still go in 64 KiB reads after a few. The buffer
/// itself is allocated at `READ_SIZE` (pages untouched cost nothing): `BytesMut` sizes the
/// buffers that follow a line by its first capacity, and growing a 16 MiB line from 4 KiB ones
/// cost more copies and page faults.
const FIRST_READ_SIZE: usize = 4 * 1024;

/// Starts the thread that sends every stdin line (with --jsonrpc's `calls`, as requests). A
/// stdin known to be empty (`</dev/null`, an empty file) needs no thread: the input ends at once.
pub fn spawn(
    format: InputFormat,
    calls: Option<Calls>,
    tx: mpsc::Sender<Input>,
) -> Result<(), Failure> {
    if known_empty(io::stdin()) {
        return Ok(());
    }
    let reader = move || {
        forward_lines(
            io::stdin().lock(),
            format,
            calls,
            &tx,
            &Budget::new(BYTES_IN_FLIGHT),
        );
    };
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(reader)
        .map(drop)
        .map_err(|e| Failure::Runtime(format!("cannot start reading stdin: {}", io_words(&e))))
}

/// Whether `input` is /dev/null or an empty regular file, found out without reading it (reading
/// could block). Starting a thread only to read nothing costs more than the rest of a short run
/// spends before the first byte goes out.
pub fn known_empty(input: impl AsFd) -> bool {
    use nix::sys::stat::{SFlag, fstat, stat};
    let Ok(file) = fstat(input) else {
        return false;
    };
    match SFlag::from_bits_truncate(file.st_mode) & SFlag::S_IFMT {
        SFlag::S_IFREG => file.st_size == 0,
        SFlag::S_IFCHR => stat("/dev/null").is_ok_and(|null| null.st_rdev == file.st_rdev),
        _ => false,
    }
}

/// Reads until end of input (or until the session stops listening), one batch per read, each
/// within the bytes-in-flight budget. Lines are messages of the format, or with --jsonrpc's
/// calls requests.
pub fn forward_lines(
    mut reader: impl Read,
    format: InputFormat,
    calls: Option<Calls>,
    tx: &mpsc::Sender<Input>,
    budget: &std::sync::Arc<Budget>,
) {
    let mut lines = LineSplitter::new(format);
    lines.calls = calls;
    loop {
        let read = lines.fill(&mut reader);
        let at_end = matches!(read, Ok(0));
        let mut batch = Vec::new();
        let result = match read {
            Ok(0) => lines.finish(&mut batch),
            Ok(_) => lines.complete_lines(&mut batch),
            Err(e) => Err(format!("cannot read stdin: {}", io_words(&e))),
        };
        if !batch.is_empty() {
            let permit = budget.take(batch.iter().map(Message::len).sum());
            if tx.blocking_send(Input::Metered(batch, permit)).is_err() {
                return;
            }
        }
        if let Err(message) = result {
            let _ = tx.blocking_send(Input::Failed(message));
            return;
        }
        if at_end {
            return;
        }
    }
}

/// Cuts a byte stream into messages at `\n` (dropping a `\r` before it).
struct LineSplitter {
    buffer: BytesMut,
    /// How much the next read asks for.
    read_size: usize,
    /// How much of `buffer` is known to hold no newline.
    scanned: usize,
    line_number: u64,
    format: InputFormat,
    /// --jsonrpc: each line is a request.
    calls: Option<Calls>,
}

impl LineSplitter {
    fn new(format: InputFormat) -> Self {
        LineSplitter {
            buffer: BytesMut::with_capacity(READ_SIZE),
            read_size: FIRST_READ_SIZE,
            scanned: 0,
            line_number: 0,
            format,
            calls: None,
        }
    }

    fn fill(&mut self, reader: &mut impl Read) -> io::Result<usize> {
        let start = self.buffer.len();
        self.buffer.resize(start + self.read_size, 0);
        let read = loop {
            match reader.read(&mut self.buffer[start..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let got = *read.as_ref().unwrap_or(&0);
        if got == self.read_size {
            self.read_size = (self.read_size * 2).min(READ_SIZE);
        }
        self.buffer.truncate(start + got);
        read
    }

    fn complete_lines(&mut self, batch: &mut Vec<Message>) -> Result<(), String> {
        while let Some(at) = memchr::memchr(b'\n', &self.buffer[self.scanned..]) {
            let mut line = self.buffer.split_to(self.scanned + at + 1);
            self.scanned = 0;
            line.truncate(line.len() - 1);
            if line.last() == Some(&b'\r') {
                line.truncate(line.len() - 1);
            }
            self.push(line.freeze(), batch)?;
        }
        self.scanned = self.buffer.len();
        Ok(())
    }

    /// At end of input: the complete lines, then a last line that had no newline.
    fn finish(&mut self, batch: &mut Vec<Message>) -> Result<(), String> {
        self.complete_lines(batch)?;
        if self.buffer.is_empty() {
            return Ok(());
        }
        let rest = self.buffer.split().freeze();
        self.push(rest, batch)
    }

    fn push(&mut self, line: Bytes, batch: &mut Vec<Message>) -> Result<(), String> {
        self.line_number += 1;
        let number = self.line_number;
        if let Some(calls) = &self.calls {
            let line = std::str::from_utf8(&line)
                .map_err(|_| format!("stdin line {number} is not valid UTF-8"))?;
            // A blank line sends nothing.
            let request = calls
                .request_line(line)
                .map_err(|e| format!("stdin line {number}: {e}"))?;
            batch.extend(request);
            return Ok(());
        }
        let message = match self.format {
            InputFormat::Binary => Message::Binary(line),
            InputFormat::Text => Message::Text(Utf8Bytes::try_from(line).map_err(|_| {
                format!("stdin line {number} is not valid UTF-8 (use --binary to send bytes)")
            })?),
            InputFormat::Jsonl => match jsonl::parse_line(&line) {
                Ok(Some(message)) => message,
                Ok(None) => return Ok(()),
                Err(e) => return Err(format!("stdin line {number}: {e}")),
            },
        };
        batch.push(message);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &'static [u8], format: InputFormat) -> Vec<Input> {
        let (tx, mut rx) = mpsc::channel(1000);
        forward_lines(input, format, None, &tx, &Budget::new(usize::MAX));
        drop(tx);
        std::iter::from_fn(|| rx.try_recv().ok()).collect()
    }

    fn messages(input: &'static [u8], format: InputFormat) -> Vec<Message> {
        collect(input, format)
            .into_iter()
            .flat_map(|i| match i {
                Input::Batch(b) | Input::Metered(b, _) => b,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    /// A stdin whose reads go as scripted: some data, or an error.
    struct Scripted(Vec<io::Result<&'static [u8]>>);

    impl Read for Scripted {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.remove(0) {
                Ok(data) => {
                    buf[..data.len()].copy_from_slice(data);
                    Ok(data.len())
                }
                Err(e) => Err(e),
            }
        }
    }

    #[test]
    fn an_interrupted_read_is_retried_and_a_failed_one_ends_the_input_in_words() {
        let interrupted = || Err(io::Error::from(io::ErrorKind::Interrupted));
        let mut splitter = LineSplitter::new(InputFormat::Text);
        let mut stdin = Scripted(vec![interrupted(), interrupted(), Ok(b"a\n")]);
        assert_eq!(splitter.fill(&mut stdin).unwrap(), 2);
        // Read once more after a failure would be a busy loop: the input ends with the failure.
        let (tx, mut rx) = mpsc::channel(10);
        let failing = Scripted(vec![
            Ok(b"one\ntw"),
            Err(io::Error::from(io::ErrorKind::InvalidData)),
        ]);
        forward_lines(
            failing,
            InputFormat::Text,
            None,
            &tx,
            &Budget::new(usize::MAX),
        );
        drop(tx);
        let got: Vec<Input> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert!(matches!(&got[0], Input::Metered(batch, _) if batch[..] == [Message::text("one")]));
        assert!(
            matches!(&got[1], Input::Failed(words) if words == "cannot read stdin: invalid data"),
            "{got:?}"
        );
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn lines_lose_their_line_endings_and_empty_lines_are_kept() {
        let got = messages(b"one\r\ntwo\n\nlast", InputFormat::Text);
        let want: Vec<Message> = ["one", "two", "", "last"]
            .into_iter()
            .map(Message::text)
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn with_jsonrpc_lines_are_requests_blank_ones_send_nothing_and_a_bad_one_stops() {
        let (tx, mut rx) = mpsc::channel(1000);
        let calls = Some(Calls::new(&[], false));
        let input: &[u8] = b"a\n\r\nb [1]\nc {\nd\n";
        forward_lines(
            input,
            InputFormat::Text,
            calls,
            &tx,
            &Budget::new(usize::MAX),
        );
        drop(tx);
        let got: Vec<Input> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        let sent = [
            r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"b","params":[1]}"#,
        ]
        .map(Message::text);
        assert!(
            matches!(&got[0], Input::Metered(b, _) if b[..] == sent),
            "{got:?}"
        );
        assert!(
            matches!(&got[1], Input::Failed(e) if e.starts_with("stdin line 4: params are not JSON")),
            "{got:?}"
        );
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn binary_lines_are_binary_messages() {
        assert_eq!(
            messages(b"\xff\x00\n", InputFormat::Binary),
            vec![Message::binary(vec![0xff, 0])]
        );
    }

    #[test]
    fn invalid_utf8_names_the_line_and_stops() {
        let got = collect(b"fine\n\xff\xfe\nnever\n", InputFormat::Text);
        assert!(matches!(&got[0], Input::Metered(b, _) if b == &vec![Message::text("fine")]));
        assert!(matches!(&got[1], Input::Failed(e) if e.contains("line 2")));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn dev_null_and_empty_files_are_known_empty_and_nothing_else_is() {
        use std::io::Write;
        let null = std::fs::File::open("/dev/null").unwrap();
        assert!(known_empty(&null));
        let mut file = tempfile::tempfile().unwrap();
        assert!(known_empty(&file));
        file.write_all(b"x\n").unwrap();
        assert!(!known_empty(&file));
        let zero = std::fs::File::open("/dev/zero").unwrap();
        assert!(!known_empty(&zero));
        let (reader, _writer) = nix::unistd::pipe().unwrap();
        assert!(!known_empty(&reader));
    }

    #[test]
    fn reads_start_small_and_grow_while_they_come_back_full() {
        let mut lines = LineSplitter::new(InputFormat::Text);
        let mut input: &[u8] = &[b'a'; 4 * READ_SIZE];
        let mut sizes = Vec::new();
        while let Ok(read @ 1..) = lines.fill(&mut input) {
            sizes.push(read);
        }
        assert_eq!(sizes[..6], [4096, 8192, 16384, 32768, 65536, 65536]);
        assert_eq!(sizes.iter().sum::<usize>(), 4 * READ_SIZE);
    }

    #[test]
    fn long_lines_span_several_reads() {
        let long: &'static [u8] = Box::leak(vec![b'a'; 3 * READ_SIZE + 5].into_boxed_slice());
        let got = messages(long, InputFormat::Text);
        assert_eq!(got, vec![Message::text("a".repeat(3 * READ_SIZE + 5))]);
    }
}
