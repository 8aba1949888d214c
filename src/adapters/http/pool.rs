//! Clients shared across requests: one per distinct TLS setting, made on first
//! use, so a hundred targets or smoke steps on one host reuse one connection
//! pool, and a bad CA file is reported once, by the first request that needs it.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{ClientOptions, HttpClient, HttpError};

/// Clients keyed by their TLS settings.
#[derive(Debug, Default)]
pub struct ClientPool {
    clients: Mutex<HashMap<ClientOptions, HttpClient>>,
}

impl ClientPool {
    #[must_use]
    pub fn new() -> Self {
        ClientPool::default()
    }

    /// The client for `options`, built the first time they are asked for.
    pub fn get(&self, options: &ClientOptions) -> Result<HttpClient, HttpError> {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(options) {
            return Ok(client.clone());
        }
        let client = HttpClient::new(options)?;
        clients.insert(options.clone(), client.clone());
        Ok(client)
    }

    /// How many distinct clients exist.
    #[must_use]
    pub fn len(&self) -> usize {
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
