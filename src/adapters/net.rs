//! Raw network probes: TCP connect, DNS resolution, and the opening handshakes of
//! AMQP 0-9-1 (RabbitMQ) and NATS, which prove the broker speaks its protocol
//! without needing a client library.

use std::net::{IpAddr, SocketAddr};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("connection refused")]
    Refused,
    #[error("{0}")]
    Io(String),
    #[error("cannot resolve {host}: {message}")]
    Resolve { host: String, message: String },
    #[error("{0}")]
    Protocol(String),
}

fn io(err: &std::io::Error) -> NetError {
    if err.kind() == std::io::ErrorKind::ConnectionRefused {
        NetError::Refused
    } else {
        NetError::Io(err.to_string())
    }
}

/// Connects to `host:port` and returns the address reached.
pub async fn tcp_connect(host: &str, port: u16) -> Result<SocketAddr, NetError> {
    let stream = TcpStream::connect((host, port)).await.map_err(|e| io(&e))?;
    stream.peer_addr().map_err(|e| io(&e))
}

/// Resolves `host` with the system resolver.
pub async fn resolve(host: &str) -> Result<Vec<IpAddr>, NetError> {
    let addrs = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| NetError::Resolve {
            host: host.to_owned(),
            message: e.to_string(),
        })?;
    let mut ips: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
    ips.sort();
    ips.dedup();
    if ips.is_empty() {
        return Err(NetError::Resolve {
            host: host.to_owned(),
            message: "no addresses".into(),
        });
    }
    Ok(ips)
}

/// Sends the AMQP 0-9-1 protocol header and expects `Connection.Start` back.
/// Returns the protocol version the broker offers.
pub async fn amqp_handshake(host: &str, port: u16) -> Result<String, NetError> {
    let mut stream = TcpStream::connect((host, port)).await.map_err(|e| io(&e))?;
    stream
        .write_all(b"AMQP\x00\x00\x09\x01")
        .await
        .map_err(|e| io(&e))?;
    let mut header = [0u8; 7];
    stream.read_exact(&mut header).await.map_err(|e| io(&e))?;
    if &header[..4] == b"AMQP" {
        return Err(NetError::Protocol(format!(
            "broker rejected AMQP 0-9-1 and offered {}-{}-{}",
            header[5],
            header[6],
            header.get(7).copied().unwrap_or(0)
        )));
    }
    let (frame_type, size) = (
        header[0],
        u32::from_be_bytes([header[3], header[4], header[5], header[6]]),
    );
    if frame_type != 1 || size < 6 {
        return Err(NetError::Protocol(format!(
            "unexpected AMQP frame type {frame_type}"
        )));
    }
    let mut method = [0u8; 6];
    stream.read_exact(&mut method).await.map_err(|e| io(&e))?;
    let class = u16::from_be_bytes([method[0], method[1]]);
    let id = u16::from_be_bytes([method[2], method[3]]);
    if (class, id) != (10, 10) {
        return Err(NetError::Protocol(format!(
            "expected Connection.Start, got method {class}.{id}"
        )));
    }
    Ok(format!("AMQP {}-{}", method[4], method[5]))
}

/// Credentials a NATS server may ask for in `CONNECT`.
#[derive(Debug, Default, Clone)]
pub struct NatsAuth {
    pub user: Option<String>,
    pub pass: Option<String>,
    pub token: Option<String>,
}

/// Reads `INFO`, sends `CONNECT` and `PING`, expects `PONG`. Returns the server version.
pub async fn nats_ping(host: &str, port: u16, auth: &NatsAuth) -> Result<String, NetError> {
    let stream = TcpStream::connect((host, port)).await.map_err(|e| io(&e))?;
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut line = String::new();
    reader.read_line(&mut line).await.map_err(|e| io(&e))?;
    let Some(info) = line.strip_prefix("INFO ") else {
        return Err(NetError::Protocol("the server did not send INFO".into()));
    };
    let info: serde_json::Value = serde_json::from_str(info.trim())
        .map_err(|e| NetError::Protocol(format!("bad INFO: {e}")))?;
    // Never send credentials in clear text to a server that wants TLS.
    if info
        .get("tls_required")
        .and_then(serde_json::Value::as_bool)
        == Some(true)
    {
        return Err(NetError::Protocol(
            "the server requires TLS; nats:// over TLS is not supported, check it with tcp://"
                .into(),
        ));
    }
    let mut connect = serde_json::json!({"verbose": false, "pedantic": false, "name": "skillsctl", "lang": "rust", "version": env!("CARGO_PKG_VERSION"), "protocol": 1});
    if let Some(user) = &auth.user {
        connect["user"] = user.clone().into();
    }
    if let Some(pass) = &auth.pass {
        connect["pass"] = pass.clone().into();
    }
    if let Some(token) = &auth.token {
        connect["auth_token"] = token.clone().into();
    }
    write
        .write_all(format!("CONNECT {connect}\r\nPING\r\n").as_bytes())
        .await
        .map_err(|e| io(&e))?;
    loop {
        line.clear();
        if reader.read_line(&mut line).await.map_err(|e| io(&e))? == 0 {
            return Err(NetError::Protocol("connection closed before PONG".into()));
        }
        let reply = line.trim();
        if reply == "PONG" {
            break;
        }
        if let Some(err) = reply.strip_prefix("-ERR") {
            return Err(NetError::Protocol(format!("server error:{err}")));
        }
        // +OK, INFO updates and PINGs may come first.
        if reply == "PING" {
            write.write_all(b"PONG\r\n").await.map_err(|e| io(&e))?;
        }
    }
    Ok(info
        .get("version")
        .and_then(|v| v.as_str())
        .map_or_else(|| "NATS".to_owned(), |v| format!("NATS {v}")))
}
