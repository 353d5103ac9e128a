//! permessage-deflate (RFC 7692). TEMPORARY placeholder with the agreed signatures, replaced by
//! the real module from the `deflate` branch before anything is submitted.

use super::Role;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeflateOffer {
    pub client_max_window_bits: Option<u8>,
    pub server_max_window_bits: Option<u8>,
    pub client_no_context_takeover: bool,
    pub server_no_context_takeover: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    pub client_max_window_bits: u8,
    pub server_max_window_bits: u8,
    pub client_no_context_takeover: bool,
    pub server_no_context_takeover: bool,
}

impl DeflateOffer {
    pub fn header_value(&self) -> String {
        "permessage-deflate; client_max_window_bits".into()
    }
    pub fn accept(&self, _answer: &str) -> Result<DeflateParams, String> {
        Err("placeholder".into())
    }
    pub fn answer(&self, _offers: &str) -> Result<Option<(DeflateParams, String)>, String> {
        Ok(None)
    }
}

pub struct Compressor;
impl Compressor {
    pub fn new(_params: &DeflateParams, _role: Role) -> Option<Compressor> {
        None
    }
    pub fn compress(&mut self, _payload: &[u8], _out: &mut Vec<u8>) {}
}

pub struct Decompressor;
pub enum InflateError {
    TooBig,
    Corrupt(String),
}
impl Decompressor {
    pub fn new(_params: &DeflateParams, _role: Role) -> Decompressor {
        Decompressor
    }
    pub fn inflate(
        &mut self,
        _input: &[u8],
        _out: &mut Vec<u8>,
        _limit: usize,
    ) -> Result<(), InflateError> {
        Err(InflateError::Corrupt("placeholder".into()))
    }
    pub fn finish(&mut self, _out: &mut Vec<u8>, _limit: usize) -> Result<(), InflateError> {
        Ok(())
    }
}
