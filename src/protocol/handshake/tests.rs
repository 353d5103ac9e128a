use super::*;

const KEY: [u8; 16] = *b"the sample nonce";

fn offer() -> Offer {
    Offer {
        target: "/chat?room=1".into(),
        host: "example.com:8080".into(),
        headers: vec![("User-Agent".into(), b"wsc/test".to_vec())],
        ..Offer::default()
    }
}

fn head_of(text: &str) -> Head {
    parse_answer(text.as_bytes()).unwrap().unwrap()
}

/// A 101 answer to `handshake` with these extra lines.
fn answer(handshake: &ClientHandshake, lines: &str) -> Head {
    head_of(&format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n{lines}\r\n",
        handshake.accept
    ))
}

#[test]
fn the_accept_key_is_the_rfc_example() {
    assert_eq!(
        accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
}

#[test]
fn the_request_carries_every_required_header_once() {
    let handshake = ClientHandshake::new(offer(), KEY);
    let text = String::from_utf8(handshake.request.clone()).unwrap();
    assert_eq!(
        text,
        "GET /chat?room=1 HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\nUser-Agent: wsc/test\r\n\r\n"
    );
    // What a server parses is what we meant.
    let request = parse_request(&handshake.request).unwrap().unwrap();
    assert_eq!(request.key, "dGhlIHNhbXBsZSBub25jZQ==");
    assert_eq!(request.head.text, "/chat?room=1");
    assert_eq!(request.head.len, handshake.request.len());
}

#[test]
fn user_headers_replace_generated_ones_and_decide_the_accept_key() {
    let mut offer = offer();
    offer.headers.push(("host".into(), b"other".to_vec()));
    offer.headers.push((
        "Sec-WebSocket-Key".into(),
        b"dGhlIHNhbXBsZSBub25jZQ==".to_vec(),
    ));
    let handshake = ClientHandshake::new(offer, [0; 16]);
    let text = String::from_utf8(handshake.request.clone()).unwrap();
    assert_eq!(text.matches("ost: ").count(), 1, "{text}");
    assert!(text.contains("\r\nhost: other\r\n"), "{text}");
    assert_eq!(handshake.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

#[test]
fn subprotocols_and_extensions_are_offered() {
    let mut offer = offer();
    offer.subprotocols = vec!["a".into(), "b".into()];
    offer.deflate = Some(DeflateOffer::default());
    let text = String::from_utf8(ClientHandshake::new(offer, KEY).request).unwrap();
    assert!(
        text.contains("\r\nSec-WebSocket-Protocol: a, b\r\n"),
        "{text}"
    );
    assert!(
        text.contains("\r\nSec-WebSocket-Extensions: permessage-deflate"),
        "{text}"
    );
}

#[test]
fn a_correct_answer_is_accepted_with_token_lists_in_any_case() {
    let handshake = ClientHandshake::new(offer(), KEY);
    let agreed = Agreed {
        subprotocol: None,
        deflate: None,
    };
    assert_eq!(handshake.check(&answer(&handshake, "")), Ok(agreed.clone()));
    let lenient = head_of(&format!(
        "HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n\
         sec-websocket-accept: {}\r\n\r\n",
        handshake.accept
    ));
    assert_eq!(handshake.check(&lenient), Ok(agreed));
}

#[test]
fn every_broken_rule_in_the_answer_is_named() {
    let handshake = ClientHandshake::new(offer(), KEY);
    let check = |text: &str| handshake.check(&head_of(text)).unwrap_err();
    let accept = &handshake.accept;
    assert_eq!(
        check("HTTP/1.1 403 Forbidden\r\n\r\n"),
        "server answered 403 Forbidden"
    );
    assert_eq!(
        check(&format!(
            "HTTP/1.1 101 S\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        )),
        "server answer lacks 'Upgrade: websocket'"
    );
    assert_eq!(
        check(&format!(
            "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n\
             Sec-WebSocket-Accept: {accept}\r\n\r\n"
        )),
        "server answer lacks 'Connection: Upgrade'"
    );
    assert_eq!(
        check("HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
        "server answer lacks 'Sec-WebSocket-Accept'"
    );
    assert_eq!(
        check(
            "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"
        ),
        "server sent a wrong Sec-WebSocket-Accept key"
    );
    assert_eq!(
        check(&format!(
            "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        )),
        "server sent a wrong Sec-WebSocket-Accept key"
    );
    assert_eq!(
        handshake
            .check(&answer(&handshake, "Sec-WebSocket-Extensions: x-foo\r\n"))
            .unwrap_err(),
        "server selected extension 'x-foo' that was not offered"
    );
    assert_eq!(
        handshake
            .check(&answer(&handshake, "Sec-WebSocket-Protocol: chat\r\n"))
            .unwrap_err(),
        "server selected subprotocol 'chat', which was not offered (none was offered)"
    );
}

#[test]
fn the_selected_subprotocol_must_be_one_offered() {
    let mut offer = offer();
    offer.subprotocols = vec!["a".into(), "b".into()];
    let handshake = ClientHandshake::new(offer, KEY);
    let check = |lines: &str| handshake.check(&answer(&handshake, lines));
    assert_eq!(
        check("Sec-WebSocket-Protocol: b\r\n").unwrap().subprotocol,
        Some("b".into())
    );
    assert_eq!(
        check("Sec-WebSocket-Protocol: z\r\n").unwrap_err(),
        "server selected subprotocol 'z', which was not offered (offered: a, b)"
    );
    assert_eq!(
        check("Sec-WebSocket-Protocol: a, b\r\n").unwrap_err(),
        "server selected subprotocol 'a, b', which was not offered (offered: a, b)",
        "one value only"
    );
    assert_eq!(
        check("").unwrap_err(),
        "server selected none of the offered subprotocols (a, b)"
    );
}

#[test]
fn subprotocol_messages_never_show_an_empty_list() {
    for offered in [vec![], vec!["a".to_string()]] {
        let mut offer = offer();
        offer.subprotocols = offered.clone();
        let handshake = ClientHandshake::new(offer, KEY);
        for lines in ["", "Sec-WebSocket-Protocol: z\r\n"] {
            if let Err(words) = handshake.check(&answer(&handshake, lines)) {
                assert!(
                    !words.contains("()") && !words.contains(": )") && !words.contains("''"),
                    "{offered:?} {lines:?}: {words}"
                );
            }
        }
    }
}

#[test]
fn answer_heads_are_bounded_and_must_be_http_1_1() {
    assert_eq!(parse_answer(b"HTTP/1.1 101 Switching"), Ok(None));
    assert_eq!(parse_answer(b""), Ok(None));
    let big = format!("HTTP/1.1 101 S\r\nX: {}", "a".repeat(MAX_HEAD));
    assert!(
        parse_answer(big.as_bytes())
            .unwrap_err()
            .contains("too large")
    );
    let complete = format!("{big}\r\n\r\n");
    assert!(
        parse_answer(complete.as_bytes())
            .unwrap_err()
            .contains("too large")
    );
    // 64 KiB is the bound, itself allowed: a big cookie, say.
    let sized = |size: usize| {
        let start = "HTTP/1.1 101 S\r\nSet-Cookie: ";
        format!("{start}{}\r\n\r\n", "c".repeat(size - start.len() - 4))
    };
    assert_eq!(head_of(&sized(MAX_HEAD)).len, 64 * 1024);
    assert!(parse_answer(sized(MAX_HEAD + 1).as_bytes()).is_err());
    let unfinished = sized(MAX_HEAD + 4);
    assert_eq!(parse_answer(&unfinished.as_bytes()[..MAX_HEAD]), Ok(None));
    assert!(parse_answer(&unfinished.as_bytes()[..MAX_HEAD + 1]).is_err());
    assert_eq!(
        parse_answer(b"HTTP/1.0 101 S\r\n\r\n").unwrap_err(),
        "server answered with an HTTP version below 1.1"
    );
    assert!(
        parse_answer(b"SSH-2.0-OpenSSH\r\n\r\n")
            .unwrap_err()
            .starts_with("server answered with malformed HTTP")
    );
}

#[test]
fn bytes_after_the_head_are_left_for_the_frames() {
    let text = b"HTTP/1.1 101 S\r\nUpgrade: websocket\r\n\r\n\x81\x02hi";
    let head = parse_answer(text).unwrap().unwrap();
    assert_eq!(&text[head.len..], b"\x81\x02hi");
}

fn request_text(lines: &str) -> String {
    format!("GET /x HTTP/1.1\r\nHost: h\r\n{lines}\r\n")
}

const GOOD: &str = "Upgrade: websocket\r\nConnection: Upgrade\r\n\
                    Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

#[test]
fn a_server_accepts_a_valid_request_and_our_client_accepts_its_answer() {
    let mut offer = offer();
    offer.subprotocols = vec!["a".into(), "b".into()];
    let handshake = ClientHandshake::new(offer, KEY);
    let request = parse_request(&handshake.request).unwrap().unwrap();
    assert_eq!(request.subprotocols, ["a", "b"]);
    let answer = accept(&request, Some("b"), None);
    let head = parse_answer(&answer).unwrap().unwrap();
    assert_eq!(head.len, answer.len());
    assert_eq!(
        handshake.check(&head).unwrap().subprotocol,
        Some("b".into())
    );
}

#[test]
fn a_server_refuses_invalid_requests_with_the_right_status() {
    let status = |text: &str| parse_request(text.as_bytes()).unwrap_err().status;
    assert_eq!(status(&request_text(GOOD).replace("GET", "POST")), 405);
    assert_eq!(
        status(&request_text(GOOD).replace("HTTP/1.1", "HTTP/1.0")),
        505
    );
    assert_eq!(status(&request_text(GOOD).replace("Host: h\r\n", "")), 400);
    // One header line broken at a time.
    for (good, bad, expected) in [
        ("websocket", "h2c", 426),
        ("Connection: Upgrade", "Connection: close", 400),
        ("Version: 13", "Version: 8", 426),
        ("dGhlIHNhbXBsZSBub25jZQ==", "c2hvcnQ=", 400),
    ] {
        let broken = request_text(&GOOD.replace(good, bad));
        assert_eq!(status(&broken), expected, "{bad}");
    }
    assert_eq!(status("GARBAGE\0\r\n\r\n"), 400);
    // 64 KiB of head at most, whole or still arriving.
    let padded = request_text(&format!("{GOOD}X-Pad: {}\r\n", "p".repeat(MAX_HEAD)));
    assert_eq!(status(&padded), 431);
    assert_eq!(status(&padded[..MAX_HEAD + 1]), 431);
    assert_eq!(parse_request(&padded.as_bytes()[..MAX_HEAD]), Ok(None));
    let twice = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    assert_eq!(
        status(&request_text(&format!("{GOOD}{twice}"))),
        400,
        "a key given twice"
    );
    assert_eq!(
        parse_request(request_text(GOOD).as_bytes()).map(|r| r.is_some()),
        Ok(true)
    );
    assert_eq!(parse_request(b"GET / HTTP/1.1\r\nHost:"), Ok(None));
    let refusal = refuse(
        &parse_request(request_text(&GOOD.replace("Version: 13", "Version: 8")).as_bytes())
            .unwrap_err(),
    );
    let head = parse_answer(&refusal).unwrap().unwrap();
    assert_eq!(head.status, 426);
    assert_eq!(head.get("Sec-WebSocket-Version").as_deref(), Some("13"));
}

#[test]
fn a_401_carries_a_basic_challenge_and_its_words_as_the_body() {
    let refusal = Refusal {
        status: 401,
        words: "Basic authorization missing (--auth)".into(),
    };
    let answer = refuse(&refusal);
    let head = parse_answer(&answer).unwrap().unwrap();
    assert_eq!((head.status, head.text.as_str()), (401, "Unauthorized"));
    assert_eq!(
        head.get("WWW-Authenticate").as_deref(),
        Some("Basic realm=\"wsc\"")
    );
    assert_eq!(head.get("Connection").as_deref(), Some("close"));
    let body = &answer[head.len..];
    assert_eq!(body, b"Basic authorization missing (--auth)\n");
    assert_eq!(
        head.get("Content-Length"),
        Some(body.len().to_string()),
        "the body is all there is"
    );
    // Only a 401 challenges; other refusals ask for no credentials.
    for status in [400, 403, 404] {
        let answer = refuse(&Refusal {
            status,
            words: "no".into(),
        });
        let head = parse_answer(&answer).unwrap().unwrap();
        assert_eq!(head.get("WWW-Authenticate"), None, "{status}");
    }
    let forbidden = refuse(&Refusal {
        status: 403,
        words: "no".into(),
    });
    assert!(forbidden.starts_with(b"HTTP/1.1 403 Forbidden\r\n"));
}

#[test]
fn an_agreed_permessage_deflate_comes_back_with_its_params() {
    let mut offer = offer();
    offer.deflate = Some(DeflateOffer::default());
    let handshake = ClientHandshake::new(offer, KEY);
    let check = |lines: &str| handshake.check(&answer(&handshake, lines));
    let agreed =
        check("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n")
            .unwrap()
            .deflate
            .expect("deflate agreed");
    assert!(agreed.server_no_context_takeover);
    assert_eq!(
        check("").unwrap().deflate,
        None,
        "the server may decline it"
    );
    assert!(
        check("Sec-WebSocket-Extensions: permessage-deflate; x=1\r\n")
            .unwrap_err()
            .starts_with("server answered with an extension we did not allow:")
    );
    // A server's answer to our own offer is one our client accepts.
    let request = parse_request(&handshake.request).unwrap().unwrap();
    let offers = request.extensions.clone().unwrap();
    let (params, value) = DeflateOffer::default().answer(&offers).unwrap().unwrap();
    let answer = accept(&request, None, Some(&value));
    let head = parse_answer(&answer).unwrap().unwrap();
    assert_eq!(handshake.check(&head).unwrap().deflate, Some(params));
}

#[test]
fn refusals_carry_the_standard_reason_phrase() {
    for (status, phrase) in [
        (400, "Bad Request"),
        (401, "Unauthorized"),
        (403, "Forbidden"),
        (404, "Not Found"),
        (405, "Method Not Allowed"),
        (426, "Upgrade Required"),
        (431, "Request Header Fields Too Large"),
        (503, "Service Unavailable"),
        (505, "HTTP Version Not Supported"),
        (599, "Error"),
    ] {
        let words = "why".to_string();
        let head = parse_answer(&refuse(&Refusal { status, words }))
            .unwrap()
            .unwrap();
        assert_eq!((head.status, head.text.as_str()), (status, phrase));
    }
}
