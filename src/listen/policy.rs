//! Our policy on a valid upgrade request: the path (--path), the subprotocol (-s) and the
//! compression (permessage-deflate unless --no-compress). The core has checked the RFC's rules.

use crate::config::Config;
use crate::protocol::deflate::DeflateParams;
use crate::protocol::handshake::{Refusal, Request};

pub(super) type Agreed = (Request, Option<String>, Option<(DeflateParams, String)>);

/// Our policy on a valid request: the path, the subprotocol, the compression.
pub(super) fn check(config: &Config, request: Request) -> Result<Agreed, Refusal> {
    let target = &request.head.text;
    let path = target.split('?').next().unwrap_or(target);
    if let Some(wanted) = &config.path {
        if path != wanted {
            return Err(Refusal {
                status: 404,
                words: format!("path {path} not found (--path is {wanted})"),
            });
        }
    }
    // The client's order of preference, among those -s accepts; none agreed is no subprotocol.
    let subprotocol = request
        .subprotocols
        .iter()
        .find(|offered| config.subprotocols.contains(offered))
        .cloned();
    let deflate = match (&config.deflate, &request.extensions) {
        (Some(ours), Some(offers)) => ours.answer(offers).map_err(|words| Refusal {
            status: 400,
            words: format!("bad Sec-WebSocket-Extensions: {words}"),
        })?,
        _ => None,
    };
    Ok((request, subprotocol, deflate))
}
