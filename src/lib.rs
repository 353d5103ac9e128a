//! wsc as a library: the binary (`main.rs`) is a thin shell over these modules, and the fuzz
//! targets and tests reach the same code through them.

pub mod cli;
pub mod config;
pub mod connect;
pub mod error;
pub mod event;
#[doc(hidden)]
pub mod fuzz;
pub mod generate;
pub mod input;
pub mod json;
pub mod jsonrpc;
pub mod listen;
pub mod output;
pub mod protocol;
pub mod reconnect;
pub mod record;
pub mod session;
pub mod terminal;
pub mod tls;
pub mod verbose;
pub mod words;
