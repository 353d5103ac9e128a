//! `-L`: where a redirect answer to the upgrade leads, and what the next hop may carry. Pure: the
//! URL and headers of the next hop from the answer, the first URL and the hops so far.

use http::HeaderValue;
use url::Url;

use crate::error::Failure;

/// The answers that are followed; 300, 304, 305 and 306 are refusals like any other.
pub const FOLLOWED: [u16; 5] = [301, 302, 303, 307, 308];

/// Headers that carry credentials: sent only to the first URL's origin unless
/// `--location-trusted` (curl's rule). A custom Host header only makes sense there too.
const CREDENTIALS: [&str; 3] = ["authorization", "cookie", "host"];

/// One request of the chain: where it goes and the headers it carries.
#[derive(Debug, Clone)]
pub struct Hop {
    pub url: Url,
    pub headers: Vec<(String, HeaderValue)>,
}

/// The chain so far and the rules for the next hop.
pub struct Redirects {
    first: Hop,
    visited: Vec<Url>,
    max: u32,
    trusted: bool,
}

impl Redirects {
    pub fn new(first: Hop, max: u32, trusted: bool) -> Redirects {
        Redirects {
            visited: vec![first.url.clone()],
            first,
            max,
            trusted,
        }
    }

    pub fn first(&self) -> &Hop {
        &self.first
    }

    /// How many redirects have been followed.
    pub fn followed(&self) -> usize {
        self.visited.len() - 1
    }

    /// The next hop after `current` answered `status` with this `Location`.
    pub fn next(&mut self, current: &Url, status: &str, location: &str) -> Result<Hop, Failure> {
        let refuse = |why: String| Failure::Handshake(why);
        let mut url = current.join(location).map_err(|e| {
            refuse(format!(
                "server answered {status} with a bad Location '{location}': {e}"
            ))
        })?;
        let scheme = match url.scheme() {
            "ws" | "http" => "ws",
            "wss" | "https" => "wss",
            other => {
                return Err(refuse(format!(
                    "server answered {status} with a redirect to {other}://, which is not a \
                     WebSocket URL"
                )));
            }
        };
        // Both are special schemes: this cannot fail.
        let _ = url.set_scheme(scheme);
        url.set_fragment(None);
        // Credentials in a Location are not sent (the first hop's headers decide), nor shown.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        if current.scheme() == "wss" && url.scheme() == "ws" {
            return Err(refuse(format!(
                "refusing the redirect from {current} to {url}: it drops TLS"
            )));
        }
        if self.visited.contains(&url) {
            let chain: Vec<&str> = self.visited.iter().map(Url::as_str).collect();
            return Err(refuse(format!(
                "redirect loop: {} -> {url}",
                chain.join(" -> ")
            )));
        }
        if self.followed() >= self.max as usize {
            return Err(refuse(format!(
                "more than {} (--max-redirs); the last pointed to {url}",
                crate::words::plural(u64::from(self.max), "redirect")
            )));
        }
        self.visited.push(url.clone());
        let same_origin = same_origin(&url, &self.first.url);
        let headers = self
            .first
            .headers
            .iter()
            .filter(|(name, _)| {
                self.trusted
                    || same_origin
                    || !CREDENTIALS.iter().any(|c| c.eq_ignore_ascii_case(name))
            })
            .cloned()
            .collect();
        Ok(Hop { url, headers })
    }
}

/// Same scheme, host and port (the port a scheme implies counts as given).
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(url: &str) -> Hop {
        Hop {
            url: Url::parse(url).unwrap(),
            headers: vec![
                (
                    "Authorization".into(),
                    HeaderValue::from_static("Basic dTpw"),
                ),
                ("cookie".into(), HeaderValue::from_static("s=1")),
                ("X-Trace".into(), HeaderValue::from_static("7")),
            ],
        }
    }

    fn names(hop: &Hop) -> Vec<&str> {
        hop.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    fn words(result: Result<Hop, Failure>) -> String {
        match result {
            Err(Failure::Handshake(words)) => words,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn relative_and_http_locations_become_websocket_urls() {
        let mut chain = Redirects::new(hop("ws://a.test/x/y?q=1"), 10, false);
        let current = chain.first().url.clone();
        let next = chain.next(&current, "302 Found", "z#frag").unwrap();
        assert_eq!(next.url.as_str(), "ws://a.test/x/z");
        let next = chain
            .next(&next.url, "301", "https://b.test:8443/p")
            .unwrap();
        assert_eq!(next.url.as_str(), "wss://b.test:8443/p");
        let next = chain.next(&next.url, "307", "//c.test/q").unwrap();
        assert_eq!(
            next.url.as_str(),
            "wss://c.test/q",
            "scheme-relative keeps wss"
        );
    }

    #[test]
    fn credentials_in_a_location_are_neither_kept_nor_shown() {
        let mut chain = Redirects::new(hop("ws://a.test/"), 10, false);
        let first = chain.first().url.clone();
        let next = chain.next(&first, "302", "ws://eve:pw@b.test/x").unwrap();
        assert_eq!(next.url.as_str(), "ws://b.test/x");
    }

    #[test]
    fn credentials_go_only_to_the_first_origin_unless_trusted() {
        let mut chain = Redirects::new(hop("ws://a.test/"), 10, false);
        let first = chain.first().url.clone();
        let same = chain.next(&first, "302", "/other").unwrap();
        assert_eq!(names(&same), ["Authorization", "cookie", "X-Trace"]);
        for elsewhere in ["ws://b.test/", "ws://a.test:81/", "wss://a.test/"] {
            let mut chain = Redirects::new(hop("ws://a.test/"), 10, false);
            let next = chain.next(&first, "302", elsewhere).unwrap();
            assert_eq!(names(&next), ["X-Trace"], "{elsewhere}");
        }
        let mut chain = Redirects::new(hop("ws://a.test/"), 10, true);
        let next = chain.next(&first, "302", "ws://b.test/").unwrap();
        assert_eq!(names(&next), ["Authorization", "cookie", "X-Trace"]);
        // Back at the first origin, they are sent again.
        let mut chain = Redirects::new(hop("ws://a.test/"), 10, false);
        let away = chain.next(&first, "302", "ws://b.test/").unwrap();
        let back = chain.next(&away.url, "302", "ws://a.test/again").unwrap();
        assert_eq!(names(&back), ["Authorization", "cookie", "X-Trace"]);
    }

    #[test]
    fn downgrades_loops_too_many_and_other_schemes_are_refused_in_words() {
        let mut chain = Redirects::new(hop("wss://a.test/"), 10, true);
        let first = chain.first().url.clone();
        assert_eq!(
            words(chain.next(&first, "302", "http://a.test/")),
            "refusing the redirect from wss://a.test/ to ws://a.test/: it drops TLS"
        );
        let mut chain = Redirects::new(hop("ws://a.test/"), 10, false);
        let b = chain.next(&first_of("ws://a.test/"), "302", "/b").unwrap();
        assert_eq!(
            words(chain.next(&b.url, "302", "/")),
            "redirect loop: ws://a.test/ -> ws://a.test/b -> ws://a.test/"
        );
        let mut chain = Redirects::new(hop("ws://a.test/"), 2, false);
        let one = chain.next(&first_of("ws://a.test/"), "302", "/1").unwrap();
        let two = chain.next(&one.url, "302", "/2").unwrap();
        assert_eq!(
            words(chain.next(&two.url, "302", "/3")),
            "more than 2 redirects (--max-redirs); the last pointed to ws://a.test/3"
        );
        assert!(words(chain.next(&two.url, "302", "ftp://a.test/")).contains("ftp://"));
        let mut chain = Redirects::new(hop("ws://a.test/"), 1, false);
        let one = chain.next(&first_of("ws://a.test/"), "302", "/1").unwrap();
        assert_eq!(
            words(chain.next(&one.url, "302", "/2")),
            "more than 1 redirect (--max-redirs); the last pointed to ws://a.test/2"
        );
    }

    fn first_of(url: &str) -> Url {
        Url::parse(url).unwrap()
    }
}
