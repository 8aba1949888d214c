//! Redis through the redis crate (tokio, rustls for `rediss://`).

#[derive(Debug, thiserror::Error)]
pub enum KvError {
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(String),
    #[error("{0}")]
    Connect(String),
    #[error("{0}")]
    Command(String),
    #[error("key `{0}` does not exist")]
    MissingKey(String),
}

/// Connects, sends `PING` (expects `PONG`) and, if asked, checks a key exists.
pub async fn ping(url: &str, expect_key: Option<&str>) -> Result<(), KvError> {
    crate::adapters::http::install_crypto_provider();
    let client = redis::Client::open(url).map_err(|e| KvError::InvalidUrl(e.to_string()))?;
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .map_err(|e| KvError::Connect(e.to_string()))?;
    let pong: String = redis::cmd("PING")
        .query_async(&mut conn)
        .await
        .map_err(|e| KvError::Command(e.to_string()))?;
    if pong != "PONG" {
        return Err(KvError::Command(format!("PING answered {pong:?}")));
    }
    if let Some(key) = expect_key {
        let exists: i64 = redis::cmd("EXISTS")
            .arg(key)
            .query_async(&mut conn)
            .await
            .map_err(|e| KvError::Command(e.to_string()))?;
        if exists == 0 {
            return Err(KvError::MissingKey(key.to_owned()));
        }
    }
    Ok(())
}
