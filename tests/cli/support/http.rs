//! Loopback HTTP servers for tests: real sockets, real HTTP/1.1, scripted answers.
//! Each accepted connection is handled on its own thread by the `respond` closure.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// A parsed request line and headers.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
pub enum Reply {
    /// Answer with a status, headers and body, after an optional delay.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    /// Accept and read, then never answer (until the server is dropped).
    Hang,
    /// Close the connection without a word.
    Close,
    /// A 200 whose body is `chunk` repeated up to `total` bytes, streamed.
    Stream { chunk: Vec<u8>, total: usize },
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Self {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    #[must_use]
    pub fn with_delay(self, delay: Duration) -> Self {
        match self {
            Reply::Respond {
                status,
                headers,
                body,
                ..
            } => Reply::Respond {
                status,
                headers,
                body,
                delay,
            },
            other => other,
        }
    }

    #[must_use]
    pub fn with_header(self, name: &str, value: &str) -> Self {
        match self {
            Reply::Respond {
                status,
                mut headers,
                body,
                delay,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Respond {
                    status,
                    headers,
                    body,
                    delay,
                }
            }
            other => other,
        }
    }
}

/// A server on 127.0.0.1 and a free port; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    hits: Arc<AtomicUsize>,
}

impl TestServer {
    pub fn start<F>(respond: F) -> Self
    where
        F: Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    {
        Self::start_with(None, respond)
    }

    /// An HTTPS server presenting `cert_pem` (chain) and `key_pem`.
    pub fn start_tls<F>(cert_pem: &Path, key_pem: &Path, respond: F) -> Self
    where
        F: Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_pem)
            .expect("read cert")
            .collect::<Result<_, _>>()
            .expect("parse cert");
        let key = PrivateKeyDer::from_pem_file(key_pem).expect("read key");
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("tls config");
        Self::start_with(Some(Arc::new(config)), respond)
    }

    fn start_with<F>(tls: Option<Arc<rustls::ServerConfig>>, respond: F) -> Self
    where
        F: Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let respond = Arc::new(respond);
        let (stop_flag, hit_count) = (stop.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop_flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (respond, stop_flag, hit_count) =
                    (respond.clone(), stop_flag.clone(), hit_count.clone());
                match &tls {
                    Some(config) => {
                        let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                            continue;
                        };
                        let tls_stream = rustls::StreamOwned::new(conn, stream);
                        std::thread::spawn(move || {
                            serve(tls_stream, &*respond, &stop_flag, &hit_count);
                        });
                    }
                    None => {
                        std::thread::spawn(move || {
                            serve(stream, &*respond, &stop_flag, &hit_count);
                        });
                    }
                }
            }
        });
        TestServer { addr, stop, hits }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn https_url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requests answered or accepted so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

#[allow(clippy::needless_pass_by_value)] // the thread owns its connection
fn serve<S: Read + Write>(
    stream: S,
    respond: &(dyn Fn(&Request, usize) -> Reply + Send + Sync),
    stop: &AtomicBool,
    hits: &AtomicUsize,
) {
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request) = read_request(&mut reader) else {
            return;
        };
        let n = hits.fetch_add(1, Ordering::SeqCst);
        match respond(&request, n) {
            Reply::Respond {
                status,
                headers,
                body,
                delay,
            } => {
                if !delay.is_zero() {
                    std::thread::sleep(delay);
                }
                let mut head = format!(
                    "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\n",
                    reason(status),
                    body.len()
                );
                for (k, v) in headers {
                    let _ = write!(head, "{k}: {v}\r\n");
                }
                head.push_str("\r\n");
                // One write: a head and a body sent apart wait out the
                // peer's delayed ACK (40 ms) under Nagle's algorithm.
                let mut whole = head.into_bytes();
                whole.extend_from_slice(&body);
                let out = reader.get_mut();
                if out.write_all(&whole).and_then(|()| out.flush()).is_err() {
                    return;
                }
                if request
                    .header("connection")
                    .is_some_and(|v| v.eq_ignore_ascii_case("close"))
                {
                    return;
                }
            }
            Reply::Stream { chunk, total } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {total}\r\n\r\n"
                );
                let out = reader.get_mut();
                if out.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let mut sent = 0;
                while sent < total {
                    let n = chunk.len().min(total - sent);
                    if out.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    sent += n;
                }
                return;
            }
            Reply::Hang => {
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                return;
            }
            Reply::Close => return,
        }
    }
}

fn read_request<S: Read>(reader: &mut BufReader<S>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
