//! Negotiating permessage-deflate (RFC 7692 §5, §7.1) in a Sec-WebSocket-Extensions header.
//!
//! Names are compared exactly: RFC 6455 and RFC 7692 define them as tokens and, unlike media
//! type parameters, never call them case-insensitive.

const NAME: &str = "permessage-deflate";

/// What this side allows: the user's flags (--no-compress aside). Client: the offer we send.
/// Server: the limits we answer an offer with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeflateOffer {
    /// Client: None offers `client_max_window_bits` with no value (the server may pick any
    /// window for us), Some(n) offers `client_max_window_bits=n` (we promise at most 2^n).
    /// Server: Some(n) asks the client to use at most 2^n; an offer that cannot take a limit is
    /// then declined.
    pub client_max_window_bits: Option<u8>,
    /// Client: Some(n) asks the server to use at most 2^n. Server: the most we use.
    pub server_max_window_bits: Option<u8>,
    pub client_no_context_takeover: bool,
    pub server_no_context_takeover: bool,
}

/// What both sides agreed to (RFC 7692 §7.1), after negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    /// 8..=15: the base-2 logarithm of the window the client compresses with (15 when not given).
    pub client_max_window_bits: u8,
    pub server_max_window_bits: u8,
    /// The client resets its compressor after each message.
    pub client_no_context_takeover: bool,
    pub server_no_context_takeover: bool,
}

impl Default for DeflateParams {
    /// Plain `permessage-deflate`: full windows, context kept across messages.
    fn default() -> DeflateParams {
        DeflateParams {
            client_max_window_bits: 15,
            server_max_window_bits: 15,
            client_no_context_takeover: false,
            server_no_context_takeover: false,
        }
    }
}

impl DeflateOffer {
    /// The Sec-WebSocket-Extensions value a client sends, e.g.
    /// `permessage-deflate; client_max_window_bits` (what browsers send by default).
    pub fn header_value(&self) -> String {
        let mut value = String::from(NAME);
        match self.client_max_window_bits {
            None => value.push_str("; client_max_window_bits"),
            Some(n) => value.push_str(&format!("; client_max_window_bits={n}")),
        }
        if let Some(n) = self.server_max_window_bits {
            value.push_str(&format!("; server_max_window_bits={n}"));
        }
        if self.client_no_context_takeover {
            value.push_str("; client_no_context_takeover");
        }
        if self.server_no_context_takeover {
            value.push_str("; server_no_context_takeover");
        }
        value
    }

    /// Client role: checks the server's answer (all its Sec-WebSocket-Extensions lines joined
    /// with ", "; "" when there were none). Ok(None) when the server declined compression,
    /// Err(words) when the answer breaks RFC 7692 §7.1 or asks for more than we offered.
    pub fn accept(&self, answer: &str) -> Result<Option<DeflateParams>, String> {
        let mut chosen = None;
        for extension in parse(answer)? {
            if extension.name != NAME {
                return Err(format!("unknown extension {}", extension.name));
            }
            if chosen.replace(extension).is_some() {
                return Err(format!("{NAME} twice"));
            }
        }
        let Some(extension) = chosen else {
            return Ok(None);
        };
        let answer = Params::read(&extension.params, false)?;

        // The server accepts our server_* parameters by repeating them (§7.1.1.1, §7.1.2.1);
        // leaving one out is declining it, which it can only do by declining the whole offer.
        if self.server_no_context_takeover && !answer.server_no_context_takeover {
            return Err("no server_no_context_takeover, which we asked for".into());
        }
        let server_max_window_bits =
            match (answer.server_max_window_bits, self.server_max_window_bits) {
                (None, Some(asked)) => {
                    return Err(format!("no server_max_window_bits, we asked for {asked}"));
                }
                (Some(bits), Some(asked)) if bits > asked => {
                    return Err(format!(
                        "server_max_window_bits={bits}, above the {asked} we asked for"
                    ));
                }
                (bits, _) => bits.unwrap_or(15),
            };
        // We always offer client_max_window_bits, so the server may answer it, at most our value.
        let ours = self.client_max_window_bits.unwrap_or(15);
        let client_max_window_bits = match answer.client_max_window_bits.flatten() {
            Some(bits) if bits > ours => {
                return Err(format!(
                    "client_max_window_bits={bits}, above the {ours} we offered"
                ));
            }
            bits => bits.unwrap_or(ours),
        };
        Ok(Some(DeflateParams {
            client_max_window_bits,
            server_max_window_bits,
            // What we offered binds us even when the server does not repeat it (§7.1.1.2).
            client_no_context_takeover: answer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_no_context_takeover: answer.server_no_context_takeover,
        }))
    }

    /// Server role: takes the first permessage-deflate offer in the client's header value(s)
    /// that is valid (§5: else we must decline it) and fits our limits. Returns the agreed
    /// params and our answer's header value, None when no offer fits (no compression), and
    /// Err(words) when the header is malformed.
    pub fn answer(&self, offers: &str) -> Result<Option<(DeflateParams, String)>, String> {
        Ok(parse(offers)?
            .iter()
            .filter(|offer| offer.name == NAME)
            .filter_map(|offer| Params::read(&offer.params, true).ok())
            .find_map(|offer| self.fit(&offer)))
    }

    /// Our answer to one valid offer, or None when it cannot take our limits.
    fn fit(&self, offer: &Params) -> Option<(DeflateParams, String)> {
        let mut value = String::from(NAME);
        // A client that did not offer client_max_window_bits cannot be told a window (§7.1.2.2).
        let client_max_window_bits =
            match (offer.client_max_window_bits, self.client_max_window_bits) {
                (None, Some(limit)) if limit < 15 => return None,
                (None, _) => 15,
                (Some(offered), limit) => {
                    let bits = offered.unwrap_or(15).min(limit.unwrap_or(15));
                    if limit.is_some() {
                        value.push_str(&format!("; client_max_window_bits={bits}"));
                    }
                    bits
                }
            };
        let server_max_window_bits = offer
            .server_max_window_bits
            .unwrap_or(15)
            .min(self.server_max_window_bits.unwrap_or(15));
        // Repeating server_max_window_bits accepts it (§7.1.2.1); unasked, it tells our limit.
        if offer.server_max_window_bits.is_some() || self.server_max_window_bits.is_some() {
            value.push_str(&format!(
                "; server_max_window_bits={server_max_window_bits}"
            ));
        }
        let params = DeflateParams {
            client_max_window_bits,
            server_max_window_bits,
            client_no_context_takeover: offer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_no_context_takeover: offer.server_no_context_takeover
                || self.server_no_context_takeover,
        };
        if params.client_no_context_takeover {
            value.push_str("; client_no_context_takeover");
        }
        if params.server_no_context_takeover {
            value.push_str("; server_no_context_takeover");
        }
        Some((params, value))
    }
}

/// The parameters of one permessage-deflate offer or answer, as sent.
#[derive(Default)]
struct Params {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// Some(None): given without a value, which only an offer may do.
    client_max_window_bits: Option<Option<u8>>,
}

impl Params {
    /// Reads the parameters of one permessage-deflate element: only the four of RFC 7692, each
    /// at most once, each with a valid value.
    fn read(params: &[(&str, Option<String>)], in_offer: bool) -> Result<Params, String> {
        let mut read = Params::default();
        for (name, value) in params {
            let (name, value) = (*name, value.as_deref());
            let twice = match name {
                "server_no_context_takeover" => {
                    no_value(name, value)?;
                    std::mem::replace(&mut read.server_no_context_takeover, true)
                }
                "client_no_context_takeover" => {
                    no_value(name, value)?;
                    std::mem::replace(&mut read.client_no_context_takeover, true)
                }
                "server_max_window_bits" => read
                    .server_max_window_bits
                    .replace(window_bits(name, value)?)
                    .is_some(),
                "client_max_window_bits" => {
                    let bits = match value {
                        None if in_offer => None,
                        _ => Some(window_bits(name, value)?),
                    };
                    read.client_max_window_bits.replace(bits).is_some()
                }
                _ => return Err(format!("unknown parameter {name}")),
            };
            if twice {
                return Err(format!("{name} twice"));
            }
        }
        Ok(read)
    }
}

fn no_value(name: &str, value: Option<&str>) -> Result<(), String> {
    match value {
        None => Ok(()),
        Some(value) => Err(format!("{name}={value:?}: it takes no value")),
    }
}

/// 8..=15 in decimal without leading zeros (RFC 7692 §7.1.2.1).
fn window_bits(name: &str, value: Option<&str>) -> Result<u8, String> {
    let value = value.ok_or_else(|| format!("{name} without a value"))?;
    match value.as_bytes() {
        [digit @ b'8'..=b'9'] => Ok(digit - b'0'),
        [b'1', digit @ b'0'..=b'5'] => Ok(10 + digit - b'0'),
        _ => Err(format!("{name}={value:?}: not a window size from 8 to 15")),
    }
}

/// One element of a Sec-WebSocket-Extensions list: a name and its `param[=value]` pairs,
/// quoted values unescaped.
struct Extension<'a> {
    name: &'a str,
    params: Vec<(&'a str, Option<String>)>,
}

/// Splits a Sec-WebSocket-Extensions value (RFC 6455 §9.1: `name *( ";" param [ "=" value ] )`,
/// comma separated, optional whitespace around the separators; empty list elements skipped as
/// RFC 9110 §5.6.1 asks).
fn parse(header: &str) -> Result<Vec<Extension<'_>>, String> {
    let mut p = Parser {
        text: header,
        at: 0,
    };
    let mut list = Vec::new();
    loop {
        p.skip_whitespace();
        if p.at_end() {
            return Ok(list);
        }
        if p.eat(b',') {
            continue;
        }
        let name = p.token()?;
        let mut params = Vec::new();
        loop {
            p.skip_whitespace();
            if !p.eat(b';') {
                break;
            }
            p.skip_whitespace();
            let param = p.token()?;
            p.skip_whitespace();
            let value = if p.eat(b'=') {
                p.skip_whitespace();
                Some(p.value()?)
            } else {
                None
            };
            params.push((param, value));
        }
        list.push(Extension { name, params });
        if !p.at_end() && !p.eat(b',') {
            return Err(p.error());
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn at_end(&self) -> bool {
        self.at == self.text.len()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let here = self.peek() == Some(byte);
        self.at += usize::from(here);
        here
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn token(&mut self) -> Result<&'a str, String> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            self.at += 1;
        }
        match &self.text[start..self.at] {
            "" => Err(self.error()),
            token => Ok(token),
        }
    }

    /// A token or a quoted-string, unescaped. RFC 6455 wants the result to be a token too;
    /// `window_bits` checks the only values we read.
    fn value(&mut self) -> Result<String, String> {
        if !self.eat(b'"') {
            return self.token().map(str::to_owned);
        }
        let mut value = Vec::new();
        loop {
            let byte = match self.peek() {
                None => return Err(self.error()),
                Some(b'"') => break,
                Some(b'\\') => {
                    self.at += 1;
                    self.peek().ok_or_else(|| self.error())?
                }
                Some(byte) => byte,
            };
            value.push(byte);
            self.at += 1;
        }
        self.at += 1;
        Ok(String::from_utf8_lossy(&value).into_owned())
    }

    fn error(&self) -> String {
        format!(
            "malformed extension header at byte {}: {:?}",
            self.at, self.text
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(
        client_bits: u8,
        server_bits: u8,
        client_nct: bool,
        server_nct: bool,
    ) -> DeflateParams {
        DeflateParams {
            client_max_window_bits: client_bits,
            server_max_window_bits: server_bits,
            client_no_context_takeover: client_nct,
            server_no_context_takeover: server_nct,
        }
    }

    fn offer(
        client_bits: Option<u8>,
        server_bits: Option<u8>,
        client_nct: bool,
        server_nct: bool,
    ) -> DeflateOffer {
        DeflateOffer {
            client_max_window_bits: client_bits,
            server_max_window_bits: server_bits,
            client_no_context_takeover: client_nct,
            server_no_context_takeover: server_nct,
        }
    }

    #[test]
    fn header_value_names_each_flag() {
        #[rustfmt::skip]
        let table = [
            (offer(None, None, false, false), "permessage-deflate; client_max_window_bits"),
            (offer(Some(10), None, false, false), "permessage-deflate; client_max_window_bits=10"),
            (offer(None, Some(12), false, false), "permessage-deflate; client_max_window_bits; server_max_window_bits=12"),
            (offer(None, None, true, false), "permessage-deflate; client_max_window_bits; client_no_context_takeover"),
            (offer(None, None, false, true), "permessage-deflate; client_max_window_bits; server_no_context_takeover"),
            (offer(Some(9), Some(8), true, true), "permessage-deflate; client_max_window_bits=9; server_max_window_bits=8; client_no_context_takeover; server_no_context_takeover"),
        ];
        for (offer, value) in table {
            assert_eq!(offer.header_value(), value, "{offer:?}");
        }
    }

    #[test]
    fn accept_takes_valid_answers() {
        let plain = DeflateOffer::default();
        #[rustfmt::skip]
        let table = [
            (&plain, "permessage-deflate", params(15, 15, false, false)),
            // The server may set our window and drop its own context unasked.
            (&plain, "permessage-deflate; client_max_window_bits=10", params(10, 15, false, false)),
            (&plain, "permessage-deflate; server_max_window_bits=9", params(15, 9, false, false)),
            (&plain, "permessage-deflate; server_no_context_takeover", params(15, 15, false, true)),
            (&plain, "permessage-deflate; client_no_context_takeover", params(15, 15, true, false)),
            (&plain, "permessage-deflate; client_max_window_bits=\"8\"", params(8, 15, false, false)),
            (&plain, "permessage-deflate; client_max_window_bits=\"1\\2\"", params(12, 15, false, false)),
            (&plain, " , permessage-deflate\t;server_max_window_bits = 12 ;  client_no_context_takeover ,", params(15, 12, true, false)),
            // What we offered binds us even when the server does not repeat it.
            (&offer(Some(10), None, false, false), "permessage-deflate", params(10, 15, false, false)),
            (&offer(None, None, true, false), "permessage-deflate", params(15, 15, true, false)),
            // The server may lower what we offered, or repeat what we asked for.
            (&offer(Some(10), None, false, false), "permessage-deflate; client_max_window_bits=9", params(9, 15, false, false)),
            (&offer(None, Some(10), false, false), "permessage-deflate; server_max_window_bits=10", params(15, 10, false, false)),
            (&offer(None, Some(10), false, false), "permessage-deflate; server_max_window_bits=8", params(15, 8, false, false)),
            (&offer(None, None, false, true), "permessage-deflate; server_no_context_takeover", params(15, 15, false, true)),
        ];
        for (offer, answer, agreed) in table {
            assert_eq!(
                offer.accept(answer),
                Ok(Some(agreed)),
                "{offer:?} {answer:?}"
            );
        }
    }

    #[test]
    fn accept_without_an_answer_is_no_compression() {
        assert_eq!(DeflateOffer::default().accept(""), Ok(None));
        assert_eq!(DeflateOffer::default().accept(" , "), Ok(None));
    }

    #[test]
    fn accept_rejects_what_we_did_not_allow() {
        let plain = DeflateOffer::default();
        #[rustfmt::skip]
        let table = [
            (&plain, "x-webkit-deflate-frame", "unknown extension x-webkit-deflate-frame"),
            (&plain, "permessage-deflate, foo", "unknown extension foo"),
            (&plain, "Permessage-Deflate", "unknown extension Permessage-Deflate"),
            (&plain, "permessage-deflate, permessage-deflate", "permessage-deflate twice"),
            (&plain, "permessage-deflate; foo", "unknown parameter foo"),
            (&plain, "permessage-deflate; Server_No_Context_Takeover", "unknown parameter"),
            (&plain, "permessage-deflate; server_no_context_takeover; server_no_context_takeover", "server_no_context_takeover twice"),
            (&plain, "permessage-deflate; client_no_context_takeover; client_no_context_takeover", "client_no_context_takeover twice"),
            (&plain, "permessage-deflate; server_max_window_bits=9; server_max_window_bits=9", "server_max_window_bits twice"),
            (&plain, "permessage-deflate; client_max_window_bits=9; client_max_window_bits=9", "client_max_window_bits twice"),
            (&plain, "permessage-deflate; server_no_context_takeover=1", "takes no value"),
            (&plain, "permessage-deflate; client_no_context_takeover=\"\"", "takes no value"),
            // Only an offer may leave client_max_window_bits without a value.
            (&plain, "permessage-deflate; client_max_window_bits", "client_max_window_bits without a value"),
            (&plain, "permessage-deflate; server_max_window_bits", "server_max_window_bits without a value"),
            (&plain, "permessage-deflate; client_max_window_bits=\"\"", "not a window size"),
            (&offer(Some(10), None, false, false), "permessage-deflate; client_max_window_bits=11", "client_max_window_bits=11, above the 10 we offered"),
            (&offer(None, Some(10), false, false), "permessage-deflate", "no server_max_window_bits, we asked for 10"),
            (&offer(None, Some(10), false, false), "permessage-deflate; server_max_window_bits=11", "server_max_window_bits=11, above the 10 we asked for"),
            (&offer(None, None, false, true), "permessage-deflate", "no server_no_context_takeover, which we asked for"),
            (&plain, "permessage-deflate;", "malformed extension header at byte 19"),
            (&plain, "permessage-deflate; =9", "malformed extension header at byte 20"),
            (&plain, "permessage-deflate; a=", "malformed"),
            (&plain, "permessage-deflate; a=\"9", "malformed"),
            (&plain, "permessage-deflate; a=\"9\\", "malformed"),
            (&plain, "permessage-deflate x", "malformed"),
            (&plain, "permessage-deflate; server_max_window_bits=1 0", "malformed"),
            (&plain, "; server_no_context_takeover", "malformed"),
            (&plain, "permessage-deflate: x", "malformed"),
        ];
        for (offer, answer, words) in table {
            match offer.accept(answer) {
                Err(error) => assert!(
                    error.contains(words),
                    "{answer:?}: {error:?} lacks {words:?}"
                ),
                Ok(agreed) => panic!("{answer:?} accepted as {agreed:?}"),
            }
        }
    }

    #[test]
    fn window_bits_are_8_to_15_in_plain_decimal() {
        for bits in 8..=15u8 {
            let answer = format!("permessage-deflate; server_max_window_bits={bits}");
            let agreed = params(15, bits, false, false);
            assert_eq!(DeflateOffer::default().accept(&answer), Ok(Some(agreed)));
        }
        for bad in [
            "0", "7", "16", "08", "+9", "9.0", "0x9", "nine", "255", "256",
        ] {
            let answer = format!("permessage-deflate; server_max_window_bits={bad}");
            let error = DeflateOffer::default().accept(&answer).unwrap_err();
            assert!(
                error.contains("not a window size from 8 to 15"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn answer_agrees_within_our_limits() {
        let plain = DeflateOffer::default();
        #[rustfmt::skip]
        let table = [
            (&plain, "permessage-deflate", params(15, 15, false, false), "permessage-deflate"),
            // What browsers send: we set no limit, so the client keeps its full window.
            (&plain, "permessage-deflate; client_max_window_bits", params(15, 15, false, false), "permessage-deflate"),
            (&plain, "permessage-deflate; client_max_window_bits=10", params(10, 15, false, false), "permessage-deflate"),
            (&plain, "permessage-deflate; client_max_window_bits=\"10\"", params(10, 15, false, false), "permessage-deflate"),
            (&offer(Some(12), None, false, false), "permessage-deflate; client_max_window_bits", params(12, 15, false, false), "permessage-deflate; client_max_window_bits=12"),
            (&offer(Some(12), None, false, false), "permessage-deflate; client_max_window_bits=10", params(10, 15, false, false), "permessage-deflate; client_max_window_bits=10"),
            // A limit of 15 is no limit, so an offer without client_max_window_bits fits it.
            (&offer(Some(15), None, false, false), "permessage-deflate", params(15, 15, false, false), "permessage-deflate"),
            // Asked for a server window, we repeat it, lowered to our limit if need be.
            (&plain, "permessage-deflate; server_max_window_bits=10", params(15, 10, false, false), "permessage-deflate; server_max_window_bits=10"),
            (&offer(None, Some(9), false, false), "permessage-deflate; server_max_window_bits=12", params(15, 9, false, false), "permessage-deflate; server_max_window_bits=9"),
            (&offer(None, Some(9), false, false), "permessage-deflate", params(15, 9, false, false), "permessage-deflate; server_max_window_bits=9"),
            (&plain, "permessage-deflate; server_no_context_takeover", params(15, 15, false, true), "permessage-deflate; server_no_context_takeover"),
            (&offer(None, None, false, true), "permessage-deflate", params(15, 15, false, true), "permessage-deflate; server_no_context_takeover"),
            (&plain, "permessage-deflate; client_no_context_takeover", params(15, 15, true, false), "permessage-deflate; client_no_context_takeover"),
            (&offer(None, None, true, false), "permessage-deflate", params(15, 15, true, false), "permessage-deflate; client_no_context_takeover"),
            // Offers we must decline make way for the next one.
            (&plain, "x-webkit-deflate-frame, permessage-deflate; foo, permessage-deflate; server_max_window_bits=16, \
                      permessage-deflate; client_no_context_takeover; client_no_context_takeover, \
                      permessage-deflate; server_max_window_bits=11", params(15, 11, false, false), "permessage-deflate; server_max_window_bits=11"),
            (&offer(Some(12), None, false, false), "permessage-deflate, permessage-deflate; client_max_window_bits", params(12, 15, false, false), "permessage-deflate; client_max_window_bits=12"),
        ];
        for (limits, offers, agreed, value) in table {
            let answer = Some((agreed, value.to_owned()));
            assert_eq!(limits.answer(offers), Ok(answer), "{limits:?} {offers:?}");
        }
    }

    #[test]
    fn answer_declines_offers_that_do_not_fit() {
        let plain = DeflateOffer::default();
        #[rustfmt::skip]
        let table = [
            (&plain, ""),
            (&plain, "x-webkit-deflate-frame"),
            (&plain, "PERMESSAGE-DEFLATE"),
            (&plain, "permessage-deflate; foo"),
            (&plain, "permessage-deflate; server_max_window_bits"),
            (&plain, "permessage-deflate; server_max_window_bits=7"),
            (&plain, "permessage-deflate; client_max_window_bits=016"),
            (&plain, "permessage-deflate; server_no_context_takeover=yes"),
            (&plain, "permessage-deflate; server_max_window_bits=9; server_max_window_bits=10"),
            (&plain, "permessage-deflate; client_max_window_bits; client_max_window_bits"),
            // We want to limit the client's window, but it did not offer to take a limit.
            (&offer(Some(12), None, false, false), "permessage-deflate"),
        ];
        for (limits, offers) in table {
            assert_eq!(limits.answer(offers), Ok(None), "{limits:?} {offers:?}");
        }
    }

    #[test]
    fn answer_rejects_a_malformed_header() {
        for offers in [
            "permessage-deflate;",
            "permessage-deflate; x=\"",
            "permessage-deflate x",
            "=",
            ";",
        ] {
            let error = DeflateOffer::default().answer(offers).unwrap_err();
            assert!(
                error.contains("malformed extension header"),
                "{offers:?}: {error}"
            );
        }
    }

    #[test]
    fn answer_never_names_client_max_window_bits_unoffered() {
        for limits in [
            offer(None, None, false, false),
            offer(Some(15), Some(9), true, true),
        ] {
            let (_, value) = limits.answer("permessage-deflate").unwrap().unwrap();
            assert!(!value.contains("client_max_window_bits"), "{value}");
        }
    }

    /// Whatever a client offers and a server allows, once the server answers, the client
    /// accepts the answer and both hold the same params.
    #[test]
    fn both_roles_agree() {
        let flags = [(false, false), (false, true), (true, false), (true, true)];
        let mut answered = 0;
        for client_bits in [None, Some(9), Some(15)] {
            for server_bits in [None, Some(10)] {
                for (client_nct, server_nct) in flags {
                    let client = offer(client_bits, server_bits, client_nct, server_nct);
                    for limit_client in [None, Some(11)] {
                        for limit_server in [None, Some(12), Some(8)] {
                            for (limit_cnct, limit_snct) in flags {
                                let server =
                                    offer(limit_client, limit_server, limit_cnct, limit_snct);
                                let (agreed, value) =
                                    server.answer(&client.header_value()).unwrap().unwrap();
                                assert_eq!(
                                    client.accept(&value),
                                    Ok(Some(agreed)),
                                    "{client:?} {server:?}"
                                );
                                assert!(
                                    agreed.client_max_window_bits <= limit_client.unwrap_or(15)
                                );
                                assert!(
                                    agreed.server_max_window_bits <= limit_server.unwrap_or(15)
                                );
                                answered += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(answered, 3 * 2 * 4 * 2 * 3 * 4);
    }
}
