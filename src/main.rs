//! wsc: parse the command line, validate it into a config, run the session, exit with a status
//! from the table in `error.rs`.

use std::process::ExitCode;

use clap::FromArgMatches;
use clap::error::ErrorKind;

use wsc::cli::{self, Cli};
use wsc::config::{self, Config, Mode};
use wsc::error::Failure;
use wsc::{connect, generate, input, jsonrpc, listen, output, reconnect, session, terminal};

fn main() -> ExitCode {
    // The config file's settings go before the command line's arguments (config/file.rs).
    let settings = match config::file::Settings::from_env() {
        Ok(settings) => settings,
        Err(failure) => return failure.report(),
    };
    let parsed = cli::command()
        .try_get_matches_from(settings.args())
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => return settings.clap_error(&e).report(),
    };
    if let Some(kind) = cli.generate {
        return match generate::write(kind, &mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => Failure::Runtime(format!("cannot write: {e}")).report(),
        };
    }
    let config = match settings.finish(Config::from_cli(cli)) {
        Ok(config) => config,
        Err(failure) => return failure.report(),
    };
    // One decision for every coloured line, -v's included.
    colored::control::set_override(config.color);
    // A listener's first line is where it listens (scripts read the port there): its warnings
    // follow that line.
    if config.listen.is_none() {
        output::warn(&config);
    }
    let runtime = runtime(&config);
    let ended = match runtime {
        Ok(runtime) => runtime.block_on(run(config)),
        Err(e) => Ended::Failed(Failure::Runtime(format!("cannot start the runtime: {e}"))),
    };
    match ended {
        Ended::Clean => ExitCode::SUCCESS,
        Ended::Failed(failure) => failure.report(),
        Ended::Shown(failure) => ExitCode::from(failure.exit_status()),
    }
}

/// How a run ended.
enum Ended {
    Clean,
    Failed(Failure),
    /// The screen already says it (the REPL's close line): the status, not the same words again.
    Shown(Failure),
}

impl From<Result<(), Failure>> for Ended {
    fn from(result: Result<(), Failure>) -> Ended {
        match result {
            Ok(()) => Ended::Clean,
            Err(failure) => Ended::Failed(failure),
        }
    }
}

/// Pipes run on this thread alone: a worker thread costs its start and a hop between threads at
/// every wait on the network (connect, upgrade, echo, close). The REPL keeps a worker: its
/// printer blocks until the REPL thread takes each line, and the REPL thread may itself be
/// waiting for the writer task to take its input, which needs a thread that is not blocked.
fn runtime(config: &Config) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = if config.prompt {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(1);
        builder
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build()
}

async fn run(config: Config) -> Ended {
    if config.prompt {
        repl(config).await
    } else {
        pipe(config).await.into()
    }
}

/// What the session runs on.
enum Opened {
    /// One connection: dialled, or with -l --one the first client accepted.
    One(connect::Connection),
    /// -l: a listener serving many clients.
    Many(listen::Listener),
}

/// Connects (`printer` tells of --reconnect's attempts), or listens.
async fn open(config: &Config, printer: &mut output::Printer) -> Result<Opened, Failure> {
    if config.listen.is_none() {
        return Ok(Opened::One(reconnect::first(config, printer).await?));
    }
    let listener = listen::bind(config).await?;
    Ok(match config.one {
        true => Opened::One(listen::accept_one(config, listener).await?),
        false => Opened::Many(listener),
    })
}

/// Runs the session (or the listener's sessions) to its end; `started` is called once the
/// first lines are on screen. `calls`: --jsonrpc's, shared with the input and the printer.
async fn run_on(
    opened: Opened,
    config: &Config,
    input: tokio::sync::mpsc::Receiver<input::Input>,
    printer: output::Printer,
    calls: Option<jsonrpc::Calls>,
    started: impl FnOnce() -> Result<(), Failure>,
) -> Result<(), Failure> {
    match opened {
        Opened::One(connection) => {
            let mut lasting = session::Lasting::new(config, input, printer);
            lasting.calls = calls;
            let result = reconnect::run(config, connection, &mut lasting, started).await;
            lasting.show_stats(config);
            result
        }
        Opened::Many(listener) => listen::serve(config, listener, input, printer, started).await,
    }
}

/// How long each step of ending the REPL may take.
const REPL_END_LIMIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The REPL starts once connected, so a failed connection leaves no stray prompt.
async fn repl(config: Config) -> Ended {
    // What comes before the prompt is shown as plain lines.
    let opened = match output::Printer::new(&config, None, None) {
        Ok(mut before) => open(&config, &mut before).await,
        Err(failure) => Err(failure),
    };
    let opened = match opened {
        Ok(opened) => opened,
        Err(failure) => return Ended::Failed(failure),
    };
    let modes = terminal::SavedModes::save();
    let (input_tx, input_rx) = input::channel();
    let calls = jsonrpc::Calls::of(&config);
    let (repl, prompt, ending) = match input::repl::prepare(&config, calls.clone(), input_tx) {
        Ok(prepared) => prepared,
        Err(failure) => return Ended::Failed(failure),
    };
    let result = match output::Printer::new(&config, Some(prompt), calls.clone()) {
        Ok(printer) => {
            let started = || repl.spawn();
            run_on(opened, &config, input_rx, printer, calls, started).await
        }
        Err(failure) => Err(failure),
    };
    let last_lines = ending.end(REPL_END_LIMIT);
    modes.restore();
    let close_shown = output::show_last_lines(last_lines);
    match result {
        // The close line said it: code, name and reason.
        Err(failure @ Failure::ServerClosed(_)) if close_shown => Ended::Shown(failure),
        result => result.into(),
    }
}

/// Everything without a prompt: pipes, a mirror (--echo), and -x in a terminal.
async fn pipe(config: Config) -> Result<(), Failure> {
    // Input starts before the connection so that nothing typed or piped early is lost. The -x
    // messages are the session's to send first, on every connection.
    let (input_tx, input_rx) = input::channel();
    // --jsonrpc: the -x requests take the first ids, before any line read.
    let calls = jsonrpc::Calls::of(&config);
    // --replay times its messages from the moment the first connection opens.
    let (opened_tx, opened_rx) = tokio::sync::oneshot::channel();
    if let Some(replay) = &config.replay {
        // The recording is the input: stdin is not read.
        input::replay::spawn(replay.clone(), opened_rx, input_tx);
    } else if config.echo || config.mode == Mode::Repl {
        // A mirror reads no input, not even from a terminal, and -x in a terminal (as in wscat)
        // is all the input: keys are not read.
        drop(input_tx);
    } else {
        input::pipe::spawn(config.input, calls.clone(), input_tx)?;
    }
    let mut printer = output::Printer::new(&config, None, calls.clone())?;
    let opened = open(&config, &mut printer).await?;
    let started = move || {
        let _ = opened_tx.send(tokio::time::Instant::now());
        Ok(())
    };
    run_on(opened, &config, input_rx, printer, calls, started).await
}
