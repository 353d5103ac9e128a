//! What a read error from the socket means, and what we do about it: a lost connection is
//! reported, a protocol violation gets a Close with the right code first (tungstenite reports
//! violations but sends no Close itself).

use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::error::io_words;

pub enum Reaction {
    /// The connection is gone: report this.
    Lost(String),
    /// Send this Close, then report this and drop the connection.
    Close(CloseFrame, String),
}

pub fn classify(error: WsError) -> Reaction {
    let close = |code: CloseCode, reason: &'static str, message: String| {
        Reaction::Close(
            CloseFrame {
                code,
                reason: reason.into(),
            },
            message,
        )
    };
    match error {
        WsError::Io(e) => Reaction::Lost(format!("connection lost: {}", io_words(&e))),
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => {
            Reaction::Lost("server closed the connection without a close frame".into())
        }
        WsError::Utf8(_) => close(
            CloseCode::Invalid,
            "invalid UTF-8",
            "server sent invalid UTF-8 text".into(),
        ),
        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => close(
            CloseCode::Size,
            "message too big",
            format!(
                "server sent a message of {size} bytes, over the limit of {max_size} (--max-message-size)"
            ),
        ),
        WsError::Protocol(violation) => close(
            CloseCode::Protocol,
            "protocol error",
            format!("protocol violation by the server: {}", words(&violation)),
        ),
        other => close(
            CloseCode::Protocol,
            "protocol error",
            format!("connection failed: {other}"),
        ),
    }
}

fn words(violation: &ProtocolError) -> String {
    use ProtocolError as P;
    match violation {
        P::MaskedFrameFromServer => "masked frame".into(),
        P::NonZeroReservedBits => "reserved bits set".into(),
        P::InvalidOpcode(op) => format!("unknown opcode {op}"),
        P::UnknownControlFrameType(op) => format!("unknown control opcode {op}"),
        P::UnknownDataFrameType(op) => format!("unknown data opcode {op}"),
        P::FragmentedControlFrame => "fragmented control frame".into(),
        P::ControlFrameTooBig => "control frame over 125 bytes".into(),
        P::InvalidCloseSequence => "malformed close frame".into(),
        P::UnexpectedContinueFrame => "continuation frame without a message to continue".into(),
        P::ExpectedFragment(_) => "new message before the fragmented one ended".into(),
        P::ReceivedAfterClosing => "frame after its close frame".into(),
        other => other.to_string(),
    }
}
