//! The load generator: a fixed number of HTTP/1.1 keep-alive connections, each sending its next request
//! as soon as the previous answer is read, with every latency recorded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

/// What one timed run of requests came to.
#[derive(Debug, Default)]
pub struct LoadResult {
    /// Answers with the expected status.
    pub ok: u64,
    /// Answers with another status, and failed requests.
    pub errors: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Latency of every answered request, in microseconds.
    pub latencies_us: Vec<u32>,
    /// The first unexpected answer, to say what went wrong.
    pub first_error: Option<String>,
}

impl LoadResult {
    /// Expected answers per second.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile latency (0-100) in milliseconds; sorts the recorded latencies.
    pub fn percentile_ms(&mut self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        self.latencies_us.sort_unstable();
        let rank = ((p / 100.0) * (self.latencies_us.len() - 1) as f64).round() as usize;
        f64::from(self.latencies_us[rank.min(self.latencies_us.len() - 1)]) / 1000.0
    }

    fn merge(&mut self, other: LoadResult) {
        self.ok += other.ok;
        self.errors += other.errors;
        self.latencies_us.extend(other.latencies_us);
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// One request to send: method, path and query, headers, body.
#[derive(Clone)]
pub struct Prepared {
    /// `GET` or `POST`.
    pub method: http::Method,
    /// Path and query.
    pub path: String,
    /// Headers, `Host` included.
    pub headers: HeaderMap,
    /// The body (empty for a GET).
    pub body: Bytes,
}

impl Prepared {
    /// A GET of `path` on `host` accepting `accept`.
    pub fn get(host: &str, path: &str, accept: &str) -> Prepared {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::HOST,
            host.parse().expect("a host is a valid header value"),
        );
        headers.insert(
            http::header::ACCEPT,
            accept
                .parse()
                .expect("a media type is a valid header value"),
        );
        Prepared {
            method: http::Method::GET,
            path: path.to_string(),
            headers,
            body: Bytes::new(),
        }
    }

    fn request(&self) -> anyhow::Result<Request<Full<Bytes>>> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(&self.path);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        Ok(builder.body(Full::new(self.body.clone()))?)
    }
}

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request on `sender` (reconnecting if the connection was closed) and reads the whole answer.
async fn exchange(
    addr: SocketAddr,
    sender: &mut Option<SendRequest<Full<Bytes>>>,
    request: &Prepared,
) -> anyhow::Result<(StatusCode, Bytes)> {
    if sender.as_ref().is_none_or(|s| s.is_closed()) {
        *sender = Some(connect(addr).await?);
    }
    let s = sender.as_mut().context("connected")?;
    s.ready().await?;
    let response = s.send_request(request.request()?).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Sends `request` over `connections` connections, again and again, for `duration`.
pub async fn repeat(
    addr: SocketAddr,
    request: Prepared,
    expect: StatusCode,
    connections: usize,
    duration: Duration,
) -> LoadResult {
    let request = Arc::new(request);
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let request = request.clone();
            tokio::spawn(async move {
                let mut out = LoadResult::default();
                let mut sender = None;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match exchange(addr, &mut sender, &request).await {
                        Ok((status, _)) if status == expect => {
                            out.ok += 1;
                            out.latencies_us
                                .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                        }
                        Ok((status, body)) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| {
                                format!("{status}: {}", String::from_utf8_lossy(&body))
                            });
                        }
                        Err(e) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| format!("{e:#}"));
                            sender = None;
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                    }
                }
                out
            })
        })
        .collect();
    let mut total = LoadResult::default();
    for task in tasks {
        if let Ok(part) = task.await {
            total.merge(part);
        }
    }
    total.elapsed = start.elapsed();
    total
}

/// Sends each of `requests` once, over `connections` connections, as fast as they are answered; the
/// elapsed time runs from the first request to the last answer.
pub async fn each_once(
    addr: SocketAddr,
    requests: Vec<Prepared>,
    expect: StatusCode,
    connections: usize,
) -> LoadResult {
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let requests = requests.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut out = LoadResult::default();
                let mut sender = None;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(i) else {
                        break;
                    };
                    let sent = Instant::now();
                    match exchange(addr, &mut sender, request).await {
                        Ok((status, _)) if status == expect => {
                            out.ok += 1;
                            out.latencies_us
                                .push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                        }
                        Ok((status, body)) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| {
                                format!("{status}: {}", String::from_utf8_lossy(&body))
                            });
                        }
                        Err(e) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| format!("{e:#}"));
                            sender = None;
                        }
                    }
                }
                out
            })
        })
        .collect();
    let mut total = LoadResult::default();
    for task in tasks {
        if let Ok(part) = task.await {
            total.merge(part);
        }
    }
    total.elapsed = start.elapsed();
    total
}

/// One request, timed; for measurements of single slow answers (calendars).
pub async fn once(
    addr: SocketAddr,
    request: &Prepared,
) -> anyhow::Result<(StatusCode, Bytes, Duration)> {
    let mut sender = None;
    let start = Instant::now();
    let (status, body) = exchange(addr, &mut sender, request).await?;
    Ok((status, body, start.elapsed()))
}
