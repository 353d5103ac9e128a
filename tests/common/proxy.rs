//! Proxies for the tests, each recording what it saw: an HTTP CONNECT proxy (plain, or behind TLS
//! for https://) and a SOCKS5 proxy. Every tunnel leads to 127.0.0.1 at the port asked for, so
//! a URL naming `localhost` never needs DNS, and what the proxy recorded proves who resolved it.

use std::pin::Pin;
use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::listener;
use super::tls::Identity;

/// A running proxy; it serves every connection until dropped.
pub struct ProxyServer<T> {
    pub port: u16,
    /// `http://127.0.0.1:PORT`, `https://…`, `socks5://…`.
    pub url: String,
    seen: Arc<Mutex<Vec<T>>>,
    task: JoinHandle<()>,
}

impl<T: Clone> ProxyServer<T> {
    /// What each connection asked for, in order.
    pub fn seen(&self) -> Vec<T> {
        self.seen.lock().unwrap().clone()
    }

    /// The proxy's URL under another scheme (`socks5h://127.0.0.1:PORT`).
    pub fn url_as(&self, scheme: &str) -> String {
        format!("{scheme}://127.0.0.1:{}", self.port)
    }
}

impl<T> Drop for ProxyServer<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts connections on `listener` and serves each with `serve`, recording into `seen`.
fn run<T, F, Fut>(listener: TcpListener, seen: Arc<Mutex<Vec<T>>>, serve: F) -> JoinHandle<()>
where
    T: Send + 'static,
    F: Fn(TcpStream, Arc<Mutex<Vec<T>>>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve(tcp, seen.clone()));
        }
    })
}

/// How the HTTP proxy answers CONNECT.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// 200 and a tunnel.
    Open,
    /// A tunnel only with `Proxy-Authorization: Basic` of these `user:pass`, 407 otherwise.
    Basic(&'static str),
    /// This status and no tunnel (407 with `Proxy-Authenticate`).
    Refuse(u16),
    /// Closes the connection without answering.
    Close,
    /// Never answers (until the client goes).
    Silent,
    /// 200, then closes once the client's first message through the tunnel (an upgrade
    /// request or a TLS record) has arrived: a tunnel that dies at once.
    Vanish,
}

/// A CONNECT request as the proxy received it.
#[derive(Debug, Clone)]
pub struct Connect {
    /// `CONNECT localhost:9001 HTTP/1.1`
    pub line: String,
    pub headers: Vec<(String, String)>,
}

impl Connect {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// `Basic base64(user:pass)`.
pub fn basic(credentials: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(credentials);
    format!("Basic {token}")
}

/// An HTTP CONNECT proxy on 127.0.0.1.
pub async fn http_proxy(mode: Mode) -> ProxyServer<Connect> {
    let (listener, port) = listener().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let task = run(listener, seen.clone(), move |tcp, seen| {
        serve_connect(tcp, mode, seen)
    });
    let url = format!("http://127.0.0.1:{port}");
    ProxyServer {
        port,
        url,
        seen,
        task,
    }
}

/// The same proxy behind TLS with `identity` (an https:// proxy).
pub async fn https_proxy(mode: Mode, identity: &Identity) -> ProxyServer<Connect> {
    use openssl::ssl::{Ssl, SslAcceptor, SslMethod};
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    acceptor.set_private_key(&identity.key).unwrap();
    acceptor.set_certificate(&identity.cert).unwrap();
    let acceptor = Arc::new(acceptor.build());
    let (listener, port) = listener().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let task = run(listener, seen.clone(), move |tcp, seen| {
        let acceptor = acceptor.clone();
        async move {
            let ssl = Ssl::new(acceptor.context()).unwrap();
            let mut tls = tokio_openssl::SslStream::new(ssl, tcp).unwrap();
            if Pin::new(&mut tls).accept().await.is_ok() {
                serve_connect(tls, mode, seen).await;
            }
        }
    });
    let url = format!("https://127.0.0.1:{port}");
    ProxyServer {
        port,
        url,
        seen,
        task,
    }
}

async fn serve_connect<S>(mut client: S, mode: Mode, seen: Arc<Mutex<Vec<Connect>>>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let head = read_head(&mut client).await;
    let mut lines = head.lines();
    let line = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_string(), v.trim().to_string()))
        .collect();
    let request = Connect { line, headers };
    seen.lock().unwrap().push(request.clone());
    let refusal = match mode {
        Mode::Open | Mode::Vanish => None,
        Mode::Basic(expected) => {
            (request.header("Proxy-Authorization") != Some(basic(expected))).then_some(407)
        }
        Mode::Refuse(status) => Some(status),
        Mode::Close => return,
        Mode::Silent => {
            let _ = client.read_to_end(&mut Vec::new()).await;
            return;
        }
    };
    if let Some(status) = refusal {
        let answer = match status {
            407 => "407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"",
            403 => "403 Forbidden",
            _ => "500 Internal Server Error",
        };
        let answer = format!("HTTP/1.1 {answer}\r\nContent-Length: 0\r\n\r\n");
        let _ = client.write_all(answer.as_bytes()).await;
        return;
    }
    if let Mode::Vanish = mode {
        if client.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.is_ok() {
            read_first_message(&mut client).await;
        }
        return;
    }
    let port = request
        .line
        .split(' ')
        .nth(1)
        .and_then(|authority| authority.rsplit_once(':'))
        .and_then(|(_, port)| port.parse::<u16>().ok());
    let Some(port) = port else { return };
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", port)).await else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        return;
    };
    let established = b"HTTP/1.1 200 Connection established\r\n\r\n";
    if client.write_all(established).await.is_ok() {
        let _ = copy_bidirectional(&mut client, &mut server).await;
    }
}

/// A request head, byte by byte so nothing after it is taken.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// The first thing a client sends through a tunnel, whole (so that closing then sends a FIN
/// rather than a reset): a TLS record, or an HTTP head.
async fn read_first_message<S: AsyncRead + Unpin>(stream: &mut S) {
    let mut head = [0u8; 5];
    if stream.read_exact(&mut head[..1]).await.is_err() {
        return;
    }
    if head[0] != 0x16 {
        let mut rest = read_head(stream).await.into_bytes();
        rest.insert(0, head[0]);
        return;
    }
    if stream.read_exact(&mut head[1..]).await.is_ok() {
        let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
        let _ = stream.read_exact(&mut body).await;
    }
}

/// A SOCKS5 request as the proxy received it.
#[derive(Debug, Clone, Default)]
pub struct SocksRequest {
    /// The authentication methods offered.
    pub methods: Vec<u8>,
    pub credentials: Option<(String, String)>,
    /// 1: IPv4, 3: a name, 4: IPv6 (0 when the request never came).
    pub atyp: u8,
    pub host: String,
    pub port: u16,
}

/// A SOCKS5 proxy on 127.0.0.1: with `password`, it demands user/password authentication with
/// these; it answers a connect request with `reply` (0: success; 4: host unreachable, ...).
pub async fn socks5_proxy(
    password: Option<(&'static str, &'static str)>,
    reply: u8,
) -> ProxyServer<SocksRequest> {
    let (listener, port) = listener().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let task = run(listener, seen.clone(), move |mut tcp, seen| async move {
        let mut request = SocksRequest::default();
        let accepted = socks_handshake(&mut tcp, password, &mut request).await;
        seen.lock().unwrap().push(request.clone());
        if !accepted.unwrap_or(false) {
            return;
        }
        let server = match reply {
            0 => TcpStream::connect(("127.0.0.1", request.port)).await.ok(),
            _ => None,
        };
        let reply = if reply == 0 && server.is_none() {
            5
        } else {
            reply
        };
        if tcp
            .write_all(&[5, reply, 0, 1, 0, 0, 0, 0, 0, 0])
            .await
            .is_err()
        {
            return;
        }
        if let Some(mut server) = server {
            let _ = copy_bidirectional(&mut tcp, &mut server).await;
        }
    });
    let url = format!("socks5://127.0.0.1:{port}");
    ProxyServer {
        port,
        url,
        seen,
        task,
    }
}

/// Method choice, authentication and the connect request; whether it got that far.
async fn socks_handshake(
    tcp: &mut TcpStream,
    password: Option<(&str, &str)>,
    request: &mut SocksRequest,
) -> std::io::Result<bool> {
    let mut two = [0u8; 2];
    tcp.read_exact(&mut two).await?;
    request.methods = vec![0; two[1] as usize];
    tcp.read_exact(&mut request.methods).await?;
    let wanted = if password.is_some() { 2 } else { 0 };
    let chosen = if request.methods.contains(&wanted) {
        wanted
    } else {
        0xff
    };
    tcp.write_all(&[5, chosen]).await?;
    if chosen == 0xff {
        return Ok(false);
    }
    if let Some((user, pass)) = password {
        tcp.read_exact(&mut two).await?;
        let given_user = read_string(tcp, two[1]).await?;
        tcp.read_exact(&mut two[..1]).await?;
        let given_pass = read_string(tcp, two[0]).await?;
        let ok = given_user == user && given_pass == pass;
        request.credentials = Some((given_user, given_pass));
        tcp.write_all(&[1, if ok { 0 } else { 1 }]).await?;
        if !ok {
            return Ok(false);
        }
    }
    let mut head = [0u8; 4];
    tcp.read_exact(&mut head).await?;
    request.atyp = head[3];
    request.host = match head[3] {
        1 => {
            let mut ip = [0u8; 4];
            tcp.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        4 => {
            let mut ip = [0u8; 16];
            tcp.read_exact(&mut ip).await?;
            std::net::Ipv6Addr::from(ip).to_string()
        }
        _ => {
            tcp.read_exact(&mut two[..1]).await?;
            read_string(tcp, two[0]).await?
        }
    };
    tcp.read_exact(&mut two).await?;
    request.port = u16::from_be_bytes(two);
    Ok(true)
}

async fn read_string(tcp: &mut TcpStream, len: u8) -> std::io::Result<String> {
    let mut bytes = vec![0u8; len as usize];
    tcp.read_exact(&mut bytes).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
